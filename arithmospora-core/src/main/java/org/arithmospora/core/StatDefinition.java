package org.arithmospora.core;

import java.util.Objects;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.type.StatType;

/**
 * One stat as configured: its group, name, optional period, data type and loader type. Immutable.
 *
 * <p>The stat's {@link #key() key} within its group follows the Go program: {@code rolling} stats
 * are keyed {@code <period>:<name>}; stats of any other group are keyed {@code <period>:<name>}
 * when they have a period and {@code <name>} when they do not.
 *
 * @param group the group, e.g. {@link #PROPORTION}
 * @param name the stat's name
 * @param period a free label such as {@code 5m}, or {@code null}
 * @param dataType the name of a registered {@link StatType}; {@code null} takes the group's
 *     default, if it has one
 * @param loaderType the name of the loader to read it with, or {@code null} for the source's
 *     default loader
 */
public record StatDefinition(
    String group, String name, String period, String dataType, String loaderType) {

  /** The group of proportion stats; its data type defaults to {@code proportion}. */
  public static final String PROPORTION = "proportion";

  /** The group of rolling stats; its data type defaults to {@code rolling}. */
  public static final String ROLLING = "rolling";

  /** The group of timed stats; its data type defaults to {@code timed}. */
  public static final String TIMED = "timed";

  /** The group of all other stats; it has no default data type, so each stat must name one. */
  public static final String OTHER = "other";

  public StatDefinition {
    requireText(group, "group");
    requireText(name, "name");
    if (period != null && period.isEmpty()) {
      period = null;
    }
    if (loaderType != null && loaderType.isEmpty()) {
      loaderType = null;
    }
    if (dataType == null || dataType.isEmpty()) {
      dataType = defaultDataType(group);
    }
    for (String part : new String[] {name, period}) {
      if (part != null && part.contains(":")) {
        throw new IllegalArgumentException(
            "stat name and period must not contain ':' (stat '"
                + name
                + "', period '"
                + period
                + "')");
      }
    }
  }

  /**
   * A stat of {@code group} with the group's default data type and no period; refine it with the
   * {@code with…} methods.
   */
  public static StatDefinition of(String group, String name) {
    return new StatDefinition(group, name, null, null, null);
  }

  /** A copy with the given period. */
  public StatDefinition withPeriod(String newPeriod) {
    return new StatDefinition(group, name, newPeriod, dataType, loaderType);
  }

  /** A copy with the given data type. */
  public StatDefinition withDataType(String newDataType) {
    return new StatDefinition(group, name, period, newDataType, loaderType);
  }

  /** A copy with the given loader type. */
  public StatDefinition withLoaderType(String newLoaderType) {
    return new StatDefinition(group, name, period, dataType, newLoaderType);
  }

  /**
   * The data type a group implies when none is given: the group's own name for {@code proportion},
   * {@code rolling} and {@code timed}; {@code null} otherwise.
   */
  public static String defaultDataType(String group) {
    return switch (group) {
      case PROPORTION, ROLLING, TIMED -> group;
      default -> null;
    };
  }

  /** The stat's key within its group, as used in event names: {@code stats:<group>:<key>}. */
  public String key() {
    return period == null ? name : period + ":" + name;
  }

  /** Where the stat lives in the store. */
  public StatAddress address() {
    return new StatAddress(name, period);
  }

  /** The event name of this stat's messages: {@code stats:<group>:<key>}. */
  public String eventName() {
    return "stats:" + group + ":" + key();
  }

  private static void requireText(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException("a stat's " + what + " must not be empty");
    }
  }

  @Override
  public String toString() {
    return group + ":" + key() + " (" + dataType + ")";
  }
}
