package dev.xatm.conformance;

/**
 * The transaction managers every conformance case runs against: xatm, and Narayana as the
 * differential oracle (docs/conformance.md).
 */
public enum Column {
  XATM,
  NARAYANA;

  /** A fresh transaction manager with this default timeout (seconds, &gt; 0). */
  TmUnderTest open(int defaultTimeoutSeconds) {
    return switch (this) {
      case XATM -> XatmColumn.open(defaultTimeoutSeconds);
      case NARAYANA -> NarayanaColumn.open(defaultTimeoutSeconds);
    };
  }
}
