package org.arithmospora.core;

import java.util.List;
import java.util.Objects;

/**
 * A named collection of milestones about one stat, found by its group and key.
 *
 * @param name the collection's name
 * @param group the stat's group
 * @param statKey the stat's key in its group, e.g. {@code total} or {@code 5m:total}
 * @param milestones the milestones, checked in this order
 */
public record MilestoneGroup(
    String name, String group, String statKey, List<MilestoneDefinition> milestones) {

  public MilestoneGroup {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(statKey, "statKey");
    name = name == null ? statKey : name;
    milestones = List.copyOf(milestones);
  }
}
