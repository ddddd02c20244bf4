package dev.xatm.it.boot.bank.checking;

import org.springframework.data.jpa.repository.JpaRepository;

public interface CheckingAccounts extends JpaRepository<CheckingAccount, String> {}
