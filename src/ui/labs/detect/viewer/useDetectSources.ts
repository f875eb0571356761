/**
 * The Detect viewer's images, already fitted to the detectors' input: uploaded photos (letterboxed) and built-in scenes
 * (with their truth boxes), which one is selected, and the last input problem (a bad file never removes what is there).
 */
import { useCallback, useRef, useState } from 'react';
import { getEngine } from '../../../../client';
import { DETECT_INPUT, type DetectPixelBox, type DetectSceneStyle, type DetectScenes } from '../../../../protocol/labs/detect';
import { bitmapFromRgb, decodeImageFile } from '../../segment/viewer/fitImage';
import { sceneWithLargestPerson } from '../detectView';
import { letterboxBitmap, letterboxBoxes } from './fitPhoto';

/** How many built-in scenes the picker offers. */
export const SCENE_COUNT = 8;

/** An image the viewer shows: RGB at the detectors' input size, its truth boxes when known, and how it was fitted. */
export interface DetectSource {
  key: string;
  name: string;
  rgb: Uint8Array;
  truth: DetectPixelBox[] | null;
  /** The photo's own size (before letterboxing); null for a built-in scene of the input size. */
  original: { width: number; height: number } | null;
}

export interface DetectSources {
  sources: DetectSource[];
  selected: DetectSource | null;
  select(key: string): void;
  inputError: string | null;
  loading: boolean;
  addFiles(files: File[]): Promise<void>;
  /** Add (or select) built-in scene `index` of the classic (default) or the realistic set. */
  addScene(index: number, style?: DetectSceneStyle): Promise<void>;
  /** Show the built-in scene of a style (default classic) whose largest person is tallest (the first visit's image). */
  addFirstSceneWithPeople(style?: DetectSceneStyle): Promise<void>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function useDetectSources(): DetectSources {
  const [sources, setSources] = useState<DetectSource[]>([]);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const scenesRef = useRef<Partial<Record<DetectSceneStyle, Promise<DetectScenes>>>>({});
  const nextId = useRef(0);
  const sourcesRef = useRef(sources);
  sourcesRef.current = sources;

  const scenes = useCallback((style: DetectSceneStyle = 'classic') => {
    const cached = scenesRef.current[style];
    if (cached) return cached;
    const p = getEngine()
      .call('detect', 'scenes', [0, SCENE_COUNT, style])
      .then((r) => {
        if (!r.ok) throw new Error(r.error.message);
        return r.scenes;
      });
    scenesRef.current[style] = p;
    p.catch(() => delete scenesRef.current[style]);
    return p;
  }, []);

  const add = useCallback((added: DetectSource[]) => {
    if (added.length === 0) return;
    setSources((list) => [...list, ...added]);
    setSelectedKey(added[0]!.key);
  }, []);

  const addFiles = useCallback(
    async (files: File[]) => {
      setLoading(true);
      const added: DetectSource[] = [];
      const problems: string[] = [];
      const { width, height } = DETECT_INPUT;
      for (const file of files) {
        try {
          const bitmap = await decodeImageFile(file);
          const { rgb } = letterboxBitmap(bitmap, width, height);
          added.push({ key: `upload-${nextId.current++}`, name: file.name, rgb, truth: null, original: { width: bitmap.width, height: bitmap.height } });
          bitmap.close();
        } catch (err) {
          problems.push(message(err));
        }
      }
      add(added);
      setInputError(problems.length ? problems.join(' ') : null);
      setLoading(false);
    },
    [add],
  );

  const addScene = useCallback(
    async (index: number, style: DetectSceneStyle = 'classic') => {
      const key = style === 'classic' ? `scene-${index}` : `scene-${style}-${index}`;
      if (sourcesRef.current.some((s) => s.key === key)) {
        setSelectedKey(key);
        return;
      }
      setLoading(true);
      try {
        const s = await scenes(style);
        const scene = s.images.find((im) => im.index === index);
        if (!scene) throw new Error(`there are only ${s.images.length} built-in scenes`);
        const name = style === 'classic' ? `scene ${index + 1}` : `${style} scene ${index + 1}`;
        const { width, height } = DETECT_INPUT;
        if (s.width === width && s.height === height) {
          add([{ key, name, rgb: scene.rgb, truth: scene.truth, original: null }]);
        } else {
          const bitmap = await bitmapFromRgb(scene.rgb, s.width, s.height);
          const { rgb, rect } = letterboxBitmap(bitmap, width, height);
          add([{ key, name, rgb, truth: letterboxBoxes(scene.truth, rect), original: { width: s.width, height: s.height } }]);
        }
        setInputError(null);
      } catch (err) {
        setInputError(`The built-in scene could not be loaded: ${message(err)}`);
      } finally {
        setLoading(false);
      }
    },
    [scenes, add],
  );

  const addFirstSceneWithPeople = useCallback(
    async (style: DetectSceneStyle = 'classic') => {
      let index = 0;
      try {
        const s = await scenes(style);
        index = sceneWithLargestPerson(s.images) ?? 0;
      } catch {
        // addScene says why the scenes could not be loaded.
      }
      await addScene(index, style);
    },
    [scenes, addScene],
  );

  const selected = sources.find((s) => s.key === selectedKey) ?? null;
  return { sources, selected, select: setSelectedKey, inputError, loading, addFiles, addScene, addFirstSceneWithPeople };
}
