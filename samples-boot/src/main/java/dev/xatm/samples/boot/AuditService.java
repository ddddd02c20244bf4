package dev.xatm.samples.boot;

import dev.xatm.samples.boot.savings.AuditEntries;
import dev.xatm.samples.boot.savings.AuditEntry;
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
