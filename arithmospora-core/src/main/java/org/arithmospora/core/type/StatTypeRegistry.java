package org.arithmospora.core.type;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stat types known by name. Immutable and thread-safe once built.
 *
 * <pre>{@code
 * StatTypeRegistry types = StatTypeRegistry.builder()
 *     .registerDefaults()          // single_value, generic, proportion, rolling, timed
 *     .register(new RankedType())  // your own
 *     .build();
 * }</pre>
 *
 * <p>Types may also be found on the class path with {@link Builder#discover(ClassLoader)}, which
 * loads every {@code META-INF/services/org.arithmospora.core.type.StatType}. Discovery is opt-in:
 * explicit registration says what a program uses.
 */
public final class StatTypeRegistry {
  private static final Logger log = LoggerFactory.getLogger(StatTypeRegistry.class);

  private static final StatTypeRegistry DEFAULTS = builder().registerDefaults().build();

  private final Map<String, StatType> types;

  private StatTypeRegistry(Map<String, StatType> types) {
    this.types = Collections.unmodifiableMap(new LinkedHashMap<>(types));
  }

  /** The five built-in types. */
  public static StatTypeRegistry ofDefaults() {
    return DEFAULTS;
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this registry's types, to add more. */
  public Builder toBuilder() {
    Builder b = new Builder();
    types.values().forEach(b::register);
    return b;
  }

  /** The type named {@code name}, if registered. */
  public Optional<StatType> find(String name) {
    return Optional.ofNullable(types.get(name));
  }

  /**
   * The type named {@code name}.
   *
   * @throws UnknownStatTypeException listing the known names
   */
  public StatType get(String name) {
    StatType type = types.get(name);
    if (type == null) {
      throw new UnknownStatTypeException(name, names());
    }
    return type;
  }

  /** The registered names, sorted. */
  public Set<String> names() {
    return Collections.unmodifiableSet(new TreeSet<>(types.keySet()));
  }

  /** Builds a {@link StatTypeRegistry}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, StatType> types = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a type.
     *
     * @throws IllegalArgumentException when a type of the same name is already registered, naming
     *     both classes
     */
    public Builder register(StatType type) {
      Objects.requireNonNull(type, "type");
      String name = Objects.requireNonNull(type.name(), "a stat type's name");
      StatType existing = types.putIfAbsent(name, type);
      if (existing != null && existing != type) {
        throw new IllegalArgumentException(
            "stat type '"
                + name
                + "' is registered twice: by "
                + existing.getClass().getName()
                + " and by "
                + type.getClass().getName());
      }
      return this;
    }

    /** Adds the five built-in types. */
    public Builder registerDefaults() {
      return register(SingleValueType.INSTANCE)
          .register(GenericType.INSTANCE)
          .register(ProportionType.INSTANCE)
          .register(RollingType.INSTANCE)
          .register(TimedType.INSTANCE);
    }

    /**
     * Adds every {@link StatType} that {@link ServiceLoader} finds through {@code classLoader}. A
     * provider that cannot be loaded is logged and skipped; the others are still added.
     *
     * @throws IllegalArgumentException when a discovered type's name is already registered
     */
    public Builder discover(ClassLoader classLoader) {
      Iterator<StatType> it = ServiceLoader.load(StatType.class, classLoader).iterator();
      while (true) {
        StatType type;
        try {
          if (!it.hasNext()) {
            break;
          }
          type = it.next();
        } catch (ServiceConfigurationError e) {
          log.warn("A stat type provider could not be loaded and is skipped: {}", e.getMessage());
          continue;
        }
        register(type);
      }
      return this;
    }

    /** The registry. */
    public StatTypeRegistry build() {
      return new StatTypeRegistry(types);
    }
  }
}
