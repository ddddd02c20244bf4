package dev.xatm.it.boot.bank.savings;

import org.springframework.data.jpa.repository.JpaRepository;

public interface SavingsAccounts extends JpaRepository<SavingsAccount, String> {}
