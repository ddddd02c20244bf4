package dev.xatm.snapshot;

/** Why a checkpoint was taken. */
public enum CheckpointReason {
  /** {@code xatm.checkpoint.interval} passed since the last one. */
  INTERVAL,
  /** {@code xatm.checkpoint.bytes} were appended since the last one. */
  BYTES,
  /** The log moved to a new segment ({@code xatm.checkpoint.on-rotation}). */
  ROTATION,
  /** The log directory reached its size cap: a checkpoint and GC before refusing. */
  SIZE_CAP,
  /** Asked for: an operator, a backup, a test. */
  EXPLICIT,
  /** After startup recovery, when the log holds segments of earlier runs. */
  STARTUP,
  /** A clean close, the last thing before the log closes. */
  CLOSE
}
