package org.arithmospora.core;

import java.util.Optional;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.type.StatType;
import org.arithmospora.core.wire.EncodedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stat of a {@link LiveSource}: its definition, type and loader, and its last good tree and
 * message, swapped together so that readers on other threads see them match. Written only on the
 * source's scheduler.
 */
final class LiveStat implements Stat {
  private static final Logger log = LoggerFactory.getLogger(LiveSource.class);

  final StatDefinition def;
  final StatType type;
  final StatLoader loader;
  final TreeReader.Target target;
  private volatile Published published;
  private volatile String lastError;

  LiveStat(StatDefinition def, StatType type, StatLoader loader) {
    this.def = def;
    this.type = type;
    this.loader = loader;
    this.target = new TreeReader.Target(def, type);
  }

  /** Tree and message, swapped together. */
  private record Published(DataPoint tree, EncodedMessage message) {}

  void publish(DataPoint tree, EncodedMessage message) {
    published = new Published(tree, message);
  }

  void failed(StatReadException e, String sourceName) {
    if (!e.getMessage().equals(lastError)) {
      log.error(
          "Source '{}', stat {}:{}: {}; it keeps its last good value",
          sourceName,
          def.group(),
          def.key(),
          e.getMessage());
      lastError = e.getMessage();
    }
  }

  void recovered(String sourceName) {
    if (lastError != null) {
      log.info("Source '{}', stat {}:{} reads correctly again", sourceName, def.group(), def.key());
      lastError = null;
    }
  }

  @Override
  public StatDefinition definition() {
    return def;
  }

  @Override
  public Optional<String> problem() {
    return Optional.ofNullable(lastError);
  }

  @Override
  public StatType type() {
    return type;
  }

  @Override
  public Optional<DataPoint> current() {
    Published p = published;
    return p == null ? Optional.empty() : Optional.of(p.tree);
  }

  @Override
  public Optional<EncodedMessage> message() {
    Published p = published;
    return p == null ? Optional.empty() : Optional.of(p.message);
  }

  @Override
  public String toString() {
    return def.toString();
  }
}
