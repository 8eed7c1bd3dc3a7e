package org.arithmospora.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser (headless Chromium) loads the dashboard against the demo and sees numbers appear
 * and change. CI installs Chromium and sets ARITHMOSPORA_REQUIRE_BROWSER=1, so there this test
 * always runs; elsewhere it is skipped when no Chromium is found.
 */
class DashboardBrowserTest {
  @TempDir Path profile;

  /** The elements whose right edge is beyond the viewport, by tag and class; empty when none. */
  private static String overflow(Chromium browser) throws Exception {
    return browser.eval(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            + " > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className)"
            + ".slice(0, 5).join(', ')");
  }

  @Test
  void theDashboardShowsLiveNumbersFromTheDemo() throws Exception {
    Optional<Path> chromium = Chromium.find();
    if ("1".equals(System.getenv("ARITHMOSPORA_REQUIRE_BROWSER"))) {
      assertThat(chromium).as("Chromium (apt-get install chromium) is required here").isPresent();
    }
    Assumptions.assumeTrue(chromium.isPresent(), "no Chromium on this machine");

    DemoCommand demo = new DemoCommand();
    demo.httpPort = 0;
    demo.wsPort = 0;
    demo.bind = "127.0.0.1";
    demo.rate = 20;
    demo.printTo(
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err);
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return demo.call();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      assertThat(demo.ready.await(60, TimeUnit.SECONDS)).as("demo started").isTrue();
      try (Chromium browser = Chromium.open(chromium.get(), profile, demo.dashboardUrl)) {
        browser.recordErrors();
        await()
            .atMost(Chromium.timeout())
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> "open".equals(browser.eval("document.getElementById('state').textContent")));
        await()
            .atMost(Chromium.timeout())
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    browser
                        .eval("document.getElementById('turnout-percent').textContent")
                        .matches("\\d+\\.\\d"));
        String firstCount = browser.eval("document.getElementById('turnout-count').textContent");
        assertThat(Long.parseLong(firstCount.replaceAll("[^0-9]", ""))).isPositive();
        assertThat(
                browser
                    .eval("document.getElementById('turnout-total').textContent")
                    .replaceAll("[^0-9]", ""))
            .isEqualTo("11080");

        // Numbers change as votes come in.
        await()
            .atMost(Chromium.timeout())
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    !firstCount.equals(
                        browser.eval("document.getElementById('turnout-count').textContent")));
        // Per-group bars with nested data points, the timeline and the rolling figures are drawn.
        await()
            .atMost(Chromium.timeout())
            .until(
                () ->
                    Integer.parseInt(
                                browser.eval(
                                    "document.querySelectorAll('#groups .row.depth1').length"))
                            >= 2
                        && Integer.parseInt(
                                browser.eval("document.querySelectorAll('#timeline rect').length"))
                            > 30
                        && browser
                            .eval("document.body.textContent")
                            .contains("Votes in the last 5 minutes"));
        // Milestones met before the page connected are listed (protocol 2): the demo starts with
        // more than a thousand votes, so "first voter" and "1000 voters" are met.
        await()
            .atMost(Chromium.timeout())
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    Integer.parseInt(
                            browser.eval("document.querySelectorAll('#milestones li').length"))
                        >= 2);
        assertThat(browser.eval("document.getElementById('milestones').textContent"))
            .contains("The first vote is in!")
            .contains("1,000 students have voted");
        assertThat(browser.eval("document.getElementById('no-milestones').hidden"))
            .isEqualTo("true");
        // Labels come from the configuration: a stat's, and a data point's.
        assertThat(browser.eval("document.body.textContent"))
            .contains("Turnout by study type")
            .contains("Postgraduate");
        // The time axes are labelled with clock times.
        String ticks =
            browser.eval(
                "[...document.querySelectorAll('#timeline .tick')].map(t => t.textContent).join('|')");
        assertThat(ticks.split("\\|", -1)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(ticks.split("\\|", -1)).allMatch(t -> t.matches("\\d{1,2}:\\d{2}( [AP]M)?"));
        // Each chart has the running total as a line, and says what it has reached.
        assertThat(
                Integer.parseInt(
                    browser.eval(
                        "Math.min(...[...document.querySelectorAll('#timeline svg')].map(s =>"
                            + " s.querySelector('polyline.cumulative').points.numberOfItems))")))
            .isGreaterThanOrEqualTo(2);
        assertThat(
                browser.eval("document.querySelector('#timeline .cumulative-label').textContent"))
            .matches("line: running total of these bars, [0-9,]+");
        assertThat(browser.eval("document.body.textContent")).doesNotContain("NaN");
        assertThat(overflow(browser)).as("elements wider than the 1,280 px viewport").isEmpty();
        assertThat(browser.errors()).as("console errors, exceptions and failed loads").isEmpty();
        assertThat(browser.eval("document.body.textContent"))
            .contains("Engineering")
            .contains("Avery Quinn");
        // Served by the server's HTTP side, the page lists the server's sources.
        assertThat(browser.eval("document.querySelector('#sources a[aria-current]').textContent"))
            .isEqualTo("election");
        // The same server answers the operator's questions.
        assertThat(
                browser.eval(
                    "(() => { const x = new XMLHttpRequest(); x.open('GET', '/readyz', false);"
                        + " x.send(); return x.status; })()"))
            .isEqualTo("200");

        Path shot = Path.of("target", "screenshots", "dashboard.png");
        browser.screenshot(shot);
        assertThat(Files.size(shot)).isGreaterThan(10_000);

        // On a 390 px phone nothing sticks out, and the developer's source form stays hidden.
        browser.viewport(390, 844, true);
        await()
            .atMost(Chromium.timeout())
            .pollInterval(Duration.ofMillis(200))
            .until(() -> "390".equals(browser.eval("window.innerWidth")));
        assertThat(overflow(browser)).as("elements wider than the 390 px viewport").isEmpty();
        assertThat(browser.eval("document.getElementById('source-form').hidden")).isEqualTo("true");
        Path phone = Path.of("target", "screenshots", "dashboard-390.png");
        browser.screenshot(phone);
        assertThat(Files.size(phone)).isGreaterThan(10_000);
        browser.viewport(1280, 1800, false);

        // The front-end guide's twenty-line page works against the same server.
        Path page =
            Files.createDirectories(profile.resolveSibling(profile.getFileName() + "-page"));
        Files.copy(Path.of("..", "docs", "example.html"), page.resolve("example.html"));
        try (InputStream js =
            URI.create(demo.dashboardUrl + "arithmospora.js").toURL().openStream()) {
          Files.copy(js, page.resolve("arithmospora.js"));
        }
        Path exampleProfile = Files.createTempDirectory("arithmospora-example-profile");
        try (Chromium example =
            Chromium.open(
                chromium.get(),
                exampleProfile,
                page.resolve("example.html").toUri() + "?url=" + demo.websocketUrl)) {
          await()
              .atMost(Chromium.timeout())
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> {
                    // Null until the page has loaded.
                    String turnout = example.eval("document.getElementById('turnout').textContent");
                    return turnout != null && turnout.matches("\\d+\\.\\d");
                  });
          assertThat(example.eval("document.getElementById('state').textContent"))
              .isEqualTo("open");
        }

        // The connection state follows the server: stopping it shows a reconnect.
        demo.stop.countDown();
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        await()
            .atMost(Chromium.timeout())
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    browser
                        .eval("document.getElementById('state').textContent")
                        .startsWith("reconnecting"));
        // The numbers shown are old now: dimmed, with a countdown to the next attempt.
        assertThat(browser.eval("document.body.classList.contains('stale')")).isEqualTo("true");
        assertThat(browser.eval("document.getElementById('state').textContent"))
            .matches("reconnecting in \\d+ s");
        assertThat(browser.eval("getComputedStyle(document.querySelector('main')).opacity"))
            .isNotEqualTo("1");
      }
    } finally {
      demo.stop.countDown();
    }
  }
}
