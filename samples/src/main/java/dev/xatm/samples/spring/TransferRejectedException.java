package dev.xatm.samples.spring;

/** A business rule refused a transfer; thrown inside the transaction, so both ledgers roll back. */
public class TransferRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransferRejectedException(String message) {
    super(message);
  }
}
