package dev.xatm.it.boot.single;

import org.springframework.data.jpa.repository.JpaRepository;

public interface Entries extends JpaRepository<Entry, String> {}
