/** Vitest setup: tfjs-core with all gradients on the CPU backend (Node). */
import './tfSetup';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { registerCpuKernelFixes } from './cpuKernelFixes';

registerCpuKernelFixes();

await tf.setBackend('cpu');
await tf.ready();
