package org.arithmospora.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.arithmospora.hub.SourceAccess;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /drain} from a caller that is not on this machine: refused, and the drain is not
 * started. Netty's embedded channel stands in for the socket, since tests may only reach loopback
 * addresses, which the route accepts (the loopback case is tested through {@code serve}).
 */
class DrainRouteTest {
  @Test
  void aDrainFromAnotherMachineIsRefusedAndNothingDrains() {
    AtomicInteger drains = new AtomicInteger();
    WebRoutes routes =
        new WebRoutes(
            WebSettings.builder().build(),
            Map.of(),
            null,
            () -> true,
            List::of,
            null,
            -1,
            false,
            Map.of(),
            SourceAccess.OPEN,
            () -> drains.incrementAndGet() == 1,
            "test");
    EmbeddedChannel remote = new EmbeddedChannel(routes);
    remote.writeInbound(
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/drain"));
    FullHttpResponse answer = remote.readOutbound();
    assertThat(answer.status().code()).isEqualTo(403);
    assertThat(answer.content().toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("from this machine only");
    assertThat(drains).hasValue(0);
    answer.release();
    remote.finishAndReleaseAll();
  }
}
