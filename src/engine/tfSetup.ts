/** Side effects every tfjs user in the engine needs: tfjs-core's gradient registry (not in its index). */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
