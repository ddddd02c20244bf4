package dev.xatm.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.spi.XatmRuntimes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.junit.jupiter.api.Test;

/**
 * xatm-hibernate on the class path must not break a unit that does not use JTA, even with no xatm
 * manager running: Hibernate resolves the platform (through the provider) but never asks it for a
 * transaction manager.
 */
class ResourceLocalUnaffectedTest {
  @Test
  void aResourceLocalUnitWorksWithoutAnyManager() {
    assertTrue(XatmRuntimes.current().isEmpty(), "no xatm manager is running");
    EntityManagerFactory emf = Persistence.createEntityManagerFactory("local");
    try {
      EntityManager em = emf.createEntityManager();
      em.getTransaction().begin();
      em.persist(new Account(1, "local", 5));
      em.getTransaction().commit();
      em.close();
      assertEquals(5, emf.createEntityManager().find(Account.class, 1L).balance());
    } finally {
      emf.close();
    }
  }
}
