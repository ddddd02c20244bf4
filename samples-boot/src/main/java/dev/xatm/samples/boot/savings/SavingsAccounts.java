package dev.xatm.samples.boot.savings;

import org.springframework.data.jpa.repository.JpaRepository;

public interface SavingsAccounts extends JpaRepository<SavingsAccount, String> {}
