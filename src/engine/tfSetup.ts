/**
 * Side effects every tfjs user in the engine needs: tfjs-core's gradient registry (not in its index).
 * The index is imported first on purpose: it registers tfjs's environment flags, and under the Vite dev
 * server (which pre-bundles the gradients apart from the index) evaluating the gradients first read the
 * unregistered 'DEBUG' flag and killed the worker.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
