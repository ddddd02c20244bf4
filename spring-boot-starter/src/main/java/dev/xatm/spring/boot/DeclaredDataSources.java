package dev.xatm.spring.boot;

import java.util.List;

/**
 * The DataSources the starter creates, as decided once when the bean definitions were registered;
 * the transaction manager bean reads it to configure recovery for each before it starts.
 *
 * @param list in declaration order: {@code spring.datasource} first, then the named ones by name
 */
public record DeclaredDataSources(List<DeclaredDataSource> list) {
  /**
   * Copies the list.
   *
   * @param list the DataSources in declaration order; copied
   */
  public DeclaredDataSources {
    list = List.copyOf(list);
  }
}
