/** Segmentation model factory (TECHNIQUES.md §2): teacher (HRNet-like), tutor (student + 1/4 path), student (FasterSeg-like). */
import type { SegArchitecture, SegModel } from './segModel';
import { buildStudent, studentArchitecture, type StudentOptions } from './student';
import { buildTeacher, teacherArchitecture } from './teacher';
import { buildTutor, tutorArchitecture } from './tutor';

export type SegModelKind = 'teacher' | 'tutor' | 'student';

/** Options shared by the three models; `upscale` and `plan` are ignored by the teacher, `hr` is the tutor's 1/4-path width. */
export interface SegModelOptions extends StudentOptions {
  hr?: number;
  /** The teacher's 1/2-resolution refinement head's channels (teacher.ts); ignored by the other models. */
  refine?: number;
  /** The teacher's full-resolution refinement stage's channels (needs refine); ignored by the other models. */
  refineFull?: number;
}

/** The JSON architecture of a model kind at the given options. */
export function segArchitecture(kind: SegModelKind, opts: Omit<SegModelOptions, 'seed'>): SegArchitecture {
  switch (kind) {
    case 'teacher':
      return teacherArchitecture(opts);
    case 'tutor':
      return tutorArchitecture(opts);
    case 'student':
      return studentArchitecture(opts);
  }
}

/** Build a segmentation model by kind (NHWC input `[B, height, width, 3]`, seeded init). */
export function createSegModel(kind: SegModelKind, opts: SegModelOptions): SegModel {
  return buildSegModel(segArchitecture(kind, opts), opts.seed);
}

/** Rebuild a segmentation model from its JSON architecture. */
export function buildSegModel(arch: SegArchitecture, seed = 0): SegModel {
  switch (arch.model) {
    case 'seg-teacher':
      return buildTeacher(arch, seed);
    case 'seg-tutor':
      return buildTutor(arch, seed);
    case 'seg-student':
      return buildStudent(arch, seed);
  }
}
