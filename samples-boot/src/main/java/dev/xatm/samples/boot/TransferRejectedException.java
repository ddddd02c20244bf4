package dev.xatm.samples.boot;

/** A business rule refused a transfer; a runtime exception, so the transaction rolls back. */
public class TransferRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransferRejectedException(String message) {
    super(message);
  }
}
