package org.arithmospora.core;

import java.time.Instant;

/**
 * A milestone that was met.
 *
 * @param group the milestone's collection
 * @param milestone the milestone
 * @param achievedWhen when it was met
 */
public record Achievement(
    MilestoneGroup group, MilestoneDefinition milestone, Instant achievedWhen) {}
