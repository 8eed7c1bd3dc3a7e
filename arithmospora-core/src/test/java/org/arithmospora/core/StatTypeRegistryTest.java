package org.arithmospora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.arithmospora.core.type.EmptyData;
import org.arithmospora.core.type.NodeContext;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.ProportionType;
import org.arithmospora.core.type.RawData;
import org.arithmospora.core.type.RollingType;
import org.arithmospora.core.type.StatData;
import org.arithmospora.core.type.StatType;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.core.type.TimedType;
import org.arithmospora.core.type.UnknownStatTypeException;
import org.junit.jupiter.api.Test;

class StatTypeRegistryTest {

  @Test
  void defaultsHoldTheFiveBuiltInTypes() {
    StatTypeRegistry types = StatTypeRegistry.ofDefaults();
    assertThat(types.names())
        .containsExactly("generic", "proportion", "rolling", "single_value", "timed");
    assertThat(types.get("proportion")).isSameAs(ProportionType.INSTANCE);
    assertThat(types.get("timed")).isSameAs(TimedType.INSTANCE);
  }

  @Test
  void findIsEmptyForAnUnknownName() {
    assertThat(StatTypeRegistry.ofDefaults().find("ranked")).isEmpty();
    assertThat(StatTypeRegistry.ofDefaults().find("rolling")).contains(RollingType.INSTANCE);
  }

  @Test
  void getOfAnUnknownNameListsTheKnownNames() {
    assertThatThrownBy(() -> StatTypeRegistry.ofDefaults().get("ranked"))
        .isInstanceOf(UnknownStatTypeException.class)
        .hasMessage(
            "unknown data type 'ranked'; known types: generic, proportion, rolling, single_value, timed");
  }

  @Test
  void duplicateRegistrationNamesBothClasses() {
    StatType impostor =
        new StatType() {
          @Override
          public String name() {
            return "proportion";
          }

          @Override
          public NodeQuery query(NodeContext node) {
            return NodeQuery.value();
          }

          @Override
          public StatData decode(NodeContext node, RawData raw) {
            return EmptyData.INSTANCE;
          }

          @Override
          public Set<String> fieldNames() {
            return Set.of();
          }
        };
    assertThatThrownBy(() -> StatTypeRegistry.builder().registerDefaults().register(impostor))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'proportion' is registered twice")
        .hasMessageContaining(ProportionType.class.getName())
        .hasMessageContaining(impostor.getClass().getName());
  }

  @Test
  void customTypesJoinTheDefaults() {
    StatTypeRegistry types =
        StatTypeRegistry.ofDefaults().toBuilder().register(new DiscoverableType()).build();
    assertThat(types.names()).contains("discoverable", "proportion");
    assertThat(StatTypeRegistry.ofDefaults().find("discoverable"))
        .as("defaults stay untouched")
        .isEmpty();
  }

  @Test
  void discoveryFindsServiceLoaderProvidersOnlyWhenAskedTo() {
    StatTypeRegistry discovered =
        StatTypeRegistry.builder().registerDefaults().discover(getClass().getClassLoader()).build();
    assertThat(discovered.get("discoverable")).isInstanceOf(DiscoverableType.class);
  }

  @Test
  void discoveringATypeThatIsAlreadyRegisteredFails() {
    StatTypeRegistry.Builder builder = StatTypeRegistry.builder().register(new DiscoverableType());
    assertThatThrownBy(() -> builder.discover(getClass().getClassLoader()))
        .hasMessageContaining("'discoverable' is registered twice");
  }
}
