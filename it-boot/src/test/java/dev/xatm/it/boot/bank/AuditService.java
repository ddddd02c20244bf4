package dev.xatm.it.boot.bank;

import dev.xatm.it.boot.bank.savings.AuditEntries;
import dev.xatm.it.boot.bank.savings.AuditEntry;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Writes the audit trail in a transaction of its own: it stays even when the caller rolls back. */
@Service
public class AuditService {
  private final AuditEntries entries;

  public AuditService(AuditEntries entries) {
    this.entries = entries;
  }

  @Transactional(propagation = Propagation.REQUIRES_NEW)
  public void record(String id, String text) {
    entries.saveAndFlush(new AuditEntry(id, text));
  }
}
