// Type declarations for siglip.js.

/** Progress of SigLIP.load: the download (or file read), then the load into the worker. */
export interface LoadProgress {
  loaded: number;
  /** 0 when the server sent no Content-Length. */
  total: number;
  phase: 'download' | 'read' | 'load' | 'ready';
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** A fetch to use instead of the global one (e.g. one that reads the Cache API first). */
  fetch?: typeof fetch;
  /** Node only: 'inprocess' runs the Go module on the calling thread. Default 'worker'. */
  worker?: 'worker' | 'inprocess';
  /**
   * Threads for the kernels (default: navigator.hardwareConcurrency, at most 8;
   * 1 = single-threaded). More than one needs a cross-origin-isolated page
   * (COOP/COEP); otherwise it runs on one thread with a console note.
   */
  threads?: number;
  /**
   * Where the towers run (web/webgpu/): 'auto' (default) picks WebGPU only
   * where an adapter exists and a short calibration finds it faster than
   * wasm; 'webgpu' forces it (load fails, saying why, where it cannot run);
   * 'wasm' never touches the GPU.
   */
  backend?: 'auto' | 'webgpu' | 'wasm';
}

/** What the WebGPU backend found, where it was tried. */
export interface GPUInfo {
  adapter: { vendor: string; architecture: string; device: string; description: string };
  compileMs: number;
  /** Bytes of tensors uploaded to the GPU (once, at load), and the file's size. */
  uploadedBytes: number;
  fileBytes: number;
  /** How the q8/q4 products sum int8 pairs: WGSL's dot4I8Packed, or i32 arithmetic (the same sums). */
  int8Dot: 'dot4I8Packed' | 'i32';
  /** The activations' int8 bound (kernel.ActQMax, from the Go module). */
  actQMax: number;
}

export interface ModelInfo {
  name: string;
  imageSize: number;
  embedDim: number;
  maxTextTokens: number;
  visionLayers: number;
  textLayers: number;
  quantization: string;
  bytes: number;
  /** SHA-256 (hex) of the model file's payload, verified at load: a stable name for the model. */
  sha256: string;
  textBatch: number;
  imageBatch: number;
  /** Whether the simd128 kernels (web/kernels/) run, and with relaxed SIMD's fused multiply-add. */
  simd: boolean;
  relaxedSimd: boolean;
  /** Threads the kernels run on (web/threads/): 1 when not cross-origin isolated. */
  threads: number;
  /** Which backend runs the towers now (a lost GPU device turns 'webgpu' into 'wasm'), and why. */
  backend: 'webgpu' | 'wasm';
  backendReason: string;
  gpu?: GPUInfo;
  /** backend 'auto': one image's time on each (gpuMs null: the GPU run was stopped past 4× wasm + 250 ms). */
  calibration?: { gpuMs: number | null; wasmMs: number; gpuFirstMs?: number; gpuStoppedAfterMs?: number; cosine?: number };
}

/** Anything with RGBA bytes and a size, like ImageData. */
export interface RGBAImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** An image: a decoded one, or the bytes of an encoded file (PNG, JPEG, ...). */
export type ImageInput =
  | HTMLImageElement
  | ImageBitmap
  | ImageData
  | HTMLCanvasElement
  | OffscreenCanvas
  | Blob
  | Uint8Array
  | ArrayBuffer
  | RGBAImage;

export interface Classification {
  label: string;
  /** Sigmoid probability in [0, 1]; labels are scored independently. */
  score: number;
  logit: number;
}

export interface Ranked {
  /** Index into the image embeddings given to rank(). */
  index: number;
  score: number;
  logit: number;
}

export declare const DEFAULT_TEMPLATE: string;

/** Fills a prompt template: every "{}" becomes the label. Throws if the template has no "{}". */
export declare function formatPrompt(template: string, label: string): string;

/** Reads model bytes from a URL, a path (Node), a Response, a Blob or a buffer. */
/** The start of the message a failed model download rejects with ("cannot download the model from"). */
export declare const DOWNLOAD_FAILED: string;

/** Reads model bytes whole (SigLIP.load itself streams, and does not need this). */
export declare function fetchModelBytes(
  source: string | URL | Response | Blob | ArrayBuffer | ArrayBufferView,
  options?: LoadOptions,
): Promise<Uint8Array>;

export declare class SigLIP {
  /** Loads a model file; the Go module runs in a dedicated worker. */
  static load(
    source: string | URL | Response | Blob | ArrayBuffer | ArrayBufferView,
    options?: LoadOptions,
  ): Promise<SigLIP>;

  readonly info: Readonly<ModelInfo>;
  /** Called with the new info when the model moves from WebGPU to wasm (device lost). */
  onBackendChange?: (info: Readonly<ModelInfo>) => void;
  readonly stats: { textCacheHits: number; textCacheMisses: number };

  /** Zero-shot classification; results sorted by score, highest first. */
  classify(
    image: ImageInput,
    labels: string[],
    options?: { template?: string; onProgress?: (done: number, total: number) => void },
  ): Promise<Classification[]>;

  /** The RGB the model sees for an image (alpha dropped, as PIL's convert("RGB")). */
  decodeImage(image: ImageInput): Promise<{ rgb: Uint8Array; width: number; height: number }>;

  /** An encoded image's header only; rejects, without decoding, what the model would refuse. */
  imageInfo(image: Blob | Uint8Array | ArrayBuffer): Promise<{ format: string; width: number; height: number }>;

  /** The image's L2-normalised embedding. */
  embedImage(image: ImageInput): Promise<Float32Array>;
  embedImages(images: ImageInput[], options?: { onProgress?: (done: number, total: number) => void }): Promise<Float32Array[]>;

  /** The input ids the model embeds for each text (rows padded to the model's text length). */
  tokenize(texts: string[]): Promise<number[][]>;

  /** L2-normalised text embeddings (cached per model). */
  embedText(text: string): Promise<Float32Array>;
  embedText(texts: string[], options?: { onProgress?: (done: number, total: number) => void }): Promise<Float32Array[]>;

  /** Logits and sigmoid probabilities, row-major [images × texts]. */
  scores(
    imageEmbeddings: Float32Array | Float32Array[],
    textEmbeddings: Float32Array | Float32Array[],
  ): Promise<{ logits: Float32Array; probs: Float32Array }>;

  /** Ranks image embeddings for a text query, best first. */
  rank(query: string, imageEmbeddings: Float32Array[]): Promise<Ranked[]>;

  /** Frees the model and terminates its worker. */
  dispose(): void;
}

export default SigLIP;
