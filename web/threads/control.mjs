// The control block shared by the calling thread and the kernel workers:
// an Int32Array over a small SharedArrayBuffer (separate from Go's memory,
// so Go's allocator never sees it).
//
//   GEN   bumped by the caller for each split call; workers Atomics.wait on it
//   DONE  workers add 1 when their part is finished; the caller waits on it
//   STOP  1: workers leave their loop
//   ERROR worker index+1 of a part that trapped (0: none)
//   slot w (worker w, from SLOT_BASE): [op code (0: no part), argc, args…];
//   f32 arguments are stored as float bits (a Float32Array on the same buffer)
export const C = { GEN: 0, DONE: 16, STOP: 32, ERROR: 33 };
export const SLOT_BASE = 48;
export const SLOT = 32; // 128 bytes: two cache lines per worker's slot
export const MAX_THREADS = 16;
export const CTRL_BYTES = (SLOT_BASE + SLOT * MAX_THREADS) * 4;

// SPIN_MS: how long a waiting side polls before it sleeps in Atomics.wait
// (waking from a futex costs tens of microseconds; a forward pass makes
// hundreds of split calls a few hundred microseconds apart).
export const SPIN_MS = 0.2;
