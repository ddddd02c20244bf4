package dev.xatm.samples.boot.savings;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A line of the audit trail, in MariaDB, written in a transaction of its own (REQUIRES_NEW). */
@Entity
@Table(name = "audit")
public class AuditEntry {
  @Id private String id;
  private String text;

  protected AuditEntry() {}

  public AuditEntry(String id, String text) {
    this.id = id;
    this.text = text;
  }

  public String getId() {
    return id;
  }

  public String getText() {
    return text;
  }
}
