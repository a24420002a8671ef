/**
 * The layer classes a model may use: those TensorFlow.js 4.22 (tfjs-layers) registers, plus the ones
 * adapt registers itself (BERT blocks, adapters, the head's pooling). `adapt check` refuses a model with
 * any other class (ADAPT130), which tfjs could not load at `run` or `verify`. The compiler cannot import
 * tfjs; a runtime test keeps this list equal to tfjs's registry.
 */

/** Layer and model classes of tfjs-layers 4.22. */
export const TFJS_LAYER_CLASSES: readonly string[] = [
  "Activation", "Add", "AlphaDropout", "Average", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
  "BatchNormalization", "Bidirectional", "CategoryEncoding", "CenterCrop", "Concatenate", "Conv1D", "Conv2D",
  "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "ConvLSTM2D", "ConvLSTM2DCell", "Cropping2D", "Dense",
  "DepthwiseConv2D", "Dot", "Dropout", "ELU", "Embedding", "Flatten", "Functional", "GRU", "GRUCell",
  "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
  "GlobalMaxPooling2D", "InputLayer", "LSTM", "LSTMCell", "LayerNormalization", "LeakyReLU", "Masking",
  "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "Model", "Multiply", "PReLU", "Permute",
  "RNN", "RandomWidth", "ReLU", "RepeatVector", "Rescaling", "Reshape", "Resizing", "SeparableConv2D", "Sequential",
  "SimpleRNN", "SimpleRNNCell", "Softmax", "SpatialDropout1D", "StackedRNNCells", "ThresholdedReLU",
  "TimeDistributed", "UpSampling2D", "ZeroPadding2D",
];

/** Layer classes adapt registers with tfjs (runtime/bert, runtime/layers, runtime/train/head.ts). */
export const ADAPT_LAYER_CLASSES: readonly string[] = [
  "BottleneckAdapter", "FirstToken", "FrozenDense", "Ia3Adapter", "LoraAdapter", "MaskedMeanPool", "MaskedSelfAttention",
  "ParallelAdapter", "PositionEmbedding",
];

/** Every class name a loadable model may use. */
export const KNOWN_LAYER_CLASSES: ReadonlySet<string> = new Set([...TFJS_LAYER_CLASSES, ...ADAPT_LAYER_CLASSES]);
