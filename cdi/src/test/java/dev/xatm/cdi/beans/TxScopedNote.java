package dev.xatm.cdi.beans;

import jakarta.annotation.PreDestroy;
import jakarta.transaction.TransactionScoped;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A second transaction-scoped bean, for first use late in a transaction. */
@TransactionScoped
public class TxScopedNote implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Texts of destroyed instances (static: instances come and go). */
  public static final List<String> DESTROYED = new CopyOnWriteArrayList<>();

  private String text = "";

  @PreDestroy
  void destroyed() {
    DESTROYED.add(text);
  }

  public String append(String s) {
    text += s;
    return text;
  }
}
