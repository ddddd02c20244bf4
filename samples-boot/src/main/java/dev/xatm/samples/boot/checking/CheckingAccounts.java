package dev.xatm.samples.boot.checking;

import org.springframework.data.jpa.repository.JpaRepository;

public interface CheckingAccounts extends JpaRepository<CheckingAccount, String> {}
