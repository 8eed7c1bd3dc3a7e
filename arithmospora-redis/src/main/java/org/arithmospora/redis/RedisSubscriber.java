package org.arithmospora.redis;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.arithmospora.core.Backoff;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader.ChangeListener;
import org.arithmospora.core.store.StatLoader.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One dedicated connection that subscribes to the {@code :updates} channel of every followed stat
 * of every source, however many there are.
 *
 * <p>When the connection fails it is re-established with backoff and every channel subscribed
 * again; each registration then hears {@link ChangeListener#resynchronize()} once all its channels
 * are confirmed, because messages published meanwhile are lost. A connection that dies silently (no
 * error, no data) is found by pinging it: no pong within three intervals and it is dropped and
 * reconnected. An outage is logged once when it starts and once when it ends.
 */
final class RedisSubscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisSubscriber.class);

  private final RedisSettings settings;
  private final JedisClientConfig config;
  private final ReadClient topology;
  private final List<Registration> registrations = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private final AtomicLong connections = new AtomicLong();
  private final ScheduledExecutorService watchdog;
  private Thread thread;

  private volatile boolean closed;
  private volatile Jedis jedis;
  // Where the current or latest connection went: with Sentinel or Cluster it moves.
  private volatile HostAndPort at;
  private volatile Handler handler;
  private volatile long lastPongNanos;
  private volatile boolean connected;
  private volatile String problem;
  private boolean outageLogged;
  private String refusalLogged;

  RedisSubscriber(RedisSettings settings, JedisClientConfig config, ReadClient topology) {
    this.settings = settings;
    this.config = config;
    this.topology = topology;
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "arithmospora-redis-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /** Follows {@code channels} (channel name to stat) for {@code listener}. */
  Subscription register(Map<String, StatAddress> channels, ChangeListener listener) {
    Registration r = new Registration(Map.copyOf(channels), listener);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the Redis store is closed");
      }
      registrations.add(r);
      startIfNeeded();
      lock.notifyAll();
    }
    Handler h = handler;
    if (h != null && connected) {
      h.add(channels.keySet());
    }
    return () -> unregister(r);
  }

  private void unregister(Registration r) {
    registrations.remove(r);
    Set<String> stillWanted = wantedChannels();
    Set<String> gone = new HashSet<>(r.channels.keySet());
    gone.removeAll(stillWanted);
    Handler h = handler;
    if (h != null && connected && !gone.isEmpty()) {
      h.remove(gone);
    }
  }

  long connections() {
    return connections.get();
  }

  boolean isConnected() {
    return connected;
  }

  /** Why the latest attempt to subscribe failed, while the connection is not up. */
  Optional<String> problem() {
    return connected ? Optional.empty() : Optional.ofNullable(problem);
  }

  private Set<String> wantedChannels() {
    Set<String> all = new LinkedHashSet<>();
    registrations.forEach(r -> all.addAll(r.channels.keySet()));
    return all;
  }

  private void startIfNeeded() {
    if (thread != null) {
      return;
    }
    thread = new Thread(this::run, "arithmospora-redis-subscriber");
    thread.setDaemon(true);
    thread.start();
    long ping = settings.pingInterval().toMillis();
    // Runs until close() shuts the executor down; checkAlive's ping catches its own failures.
    ScheduledFuture<?> unused =
        watchdog.scheduleWithFixedDelay(this::checkAlive, ping, ping, TimeUnit.MILLISECONDS);
  }

  private void run() {
    Backoff reconnects = new Backoff(settings.minReconnectDelay(), settings.maxReconnectDelay());
    while (!closed) {
      Set<String> channels;
      synchronized (lock) {
        while (!closed && wantedChannels().isEmpty()) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        channels = wantedChannels();
      }
      Jedis j = null;
      Handler h = new Handler(channels);
      try {
        HostAndPort target = topology.subscribeTarget();
        at = target;
        j = new Jedis(target, config);
        jedis = j;
        if (closed) {
          // close() may have looked for a connection before this one was published.
          return;
        }
        handler = h;
        lastPongNanos = System.nanoTime();
        j.subscribe(h, channels.toArray(String[]::new));
        // subscribe() returns when every channel has been unsubscribed: wait for new ones.
        connected = false;
        reconnects.reset();
      } catch (RuntimeException e) {
        connected = false;
        if (closed) {
          return;
        }
        onLost(e);
        if (h.confirmedOnce) {
          // The connection had worked: start the backoff again from the shortest wait.
          reconnects.reset();
        }
        sleep(reconnects.next());
      } finally {
        handler = null;
        jedis = null;
        if (j != null) {
          closeQuietly(j);
        }
      }
    }
  }

  private void onLost(RuntimeException e) {
    String why = RedisStatLoader.describe(e);
    problem = why;
    if (e instanceof JedisDataException) {
      // Redis is there and answered, with a refusal: not an outage, and it will not heal by
      // itself unless someone changes the user's rights. Said at ERROR, again if the answer
      // changes.
      if (!why.equals(refusalLogged)) {
        log.error(
            "Redis at {} refuses the subscriber connection{}: {}. Stats are read, but their "
                + "changes are not heard: clients get no live updates. {}Retrying with backoff.",
            where(),
            settings.user().map(u -> " of user '" + u + "'").orElse(""),
            why,
            why.startsWith("NOPERM")
                ? "Grant the user SUBSCRIBE, UNSUBSCRIBE and PING, and the sources' :updates"
                    + " channels (ACL SETUSER <user> +subscribe +unsubscribe +ping &<prefix>:*). "
                : "");
        refusalLogged = why;
        outageLogged = true;
      }
      return;
    }
    if (!outageLogged) {
      log.warn(
          "{} Redis at {}: {}; retrying with backoff",
          connections.get() > 0 ? "Lost the subscriber connection to" : "Cannot reach",
          where(),
          RedisStatLoader.describe(e));
      outageLogged = true;
    } else {
      log.debug("Redis at {} still unreachable: {}", where(), RedisStatLoader.describe(e));
    }
  }

  private void onConnected() {
    connected = true;
    problem = null;
    refusalLogged = null;
    connections.incrementAndGet();
    if (outageLogged) {
      log.info("Redis at {} is reachable again; re-reading every source", where());
      outageLogged = false;
    } else {
      log.debug("Subscribed to Redis at {}", where());
    }
  }

  private void checkAlive() {
    Handler h = handler;
    Jedis j = jedis;
    if (h == null || j == null || !connected) {
      return;
    }
    long silentFor = System.nanoTime() - lastPongNanos;
    HostAndPort where = at;
    if (where != null && !topology.stillSubscribeAt(where)) {
      log.info(
          "Redis master moved from {}: moving the subscriber connection, then re-reading", where);
      connected = false;
      closeQuietly(j);
      return;
    }
    if (silentFor > settings.pingInterval().toNanos() * 3) {
      log.warn(
          "Redis at {} stopped answering pings on the subscriber connection; reconnecting",
          where());
      connected = false;
      // Closing the socket fails the subscriber's blocked read, and its loop reconnects.
      closeQuietly(j);
      return;
    }
    h.sendPing();
  }

  /** The server last tried, with the topology when that is not a single server. */
  private String where() {
    HostAndPort a = at;
    if (settings.topology() == RedisSettings.Topology.STANDALONE || a == null) {
      return settings.address();
    }
    return a + " (" + settings.address() + ")";
  }

  private void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Jedis j) {
    try {
      j.disconnect();
    } catch (RuntimeException ignored) {
      // Already broken: nothing more to release.
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    watchdog.shutdownNow();
    Jedis j = jedis;
    if (j != null) {
      closeQuietly(j);
    }
    Thread t = thread;
    if (t != null) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final class Registration {
    final Map<String, StatAddress> channels;
    final ChangeListener listener;
    // Channels not yet confirmed on the current connection; guarded by itself.
    final Set<String> unconfirmed = new HashSet<>();

    Registration(Map<String, StatAddress> channels, ChangeListener listener) {
      this.channels = channels;
      this.listener = listener;
      unconfirmed.addAll(channels.keySet());
    }
  }

  /** Receives one connection's messages. Commands it sends are serialised on itself. */
  private final class Handler extends JedisPubSub {
    private final Set<String> initial;
    private int confirmed;
    volatile boolean confirmedOnce;

    Handler(Set<String> initial) {
      this.initial = initial;
      for (Registration r : registrations) {
        synchronized (r.unconfirmed) {
          r.unconfirmed.clear();
          r.unconfirmed.addAll(r.channels.keySet());
        }
      }
    }

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      lastPongNanos = System.nanoTime();
      if (!confirmedOnce && ++confirmed >= initial.size()) {
        confirmedOnce = true;
        onConnected();
        // Channels registered while this connection was being set up.
        Set<String> late = wantedChannels();
        late.removeAll(initial);
        if (!late.isEmpty()) {
          add(late);
        }
      }
      for (Registration r : registrations) {
        boolean complete;
        synchronized (r.unconfirmed) {
          complete = r.unconfirmed.remove(channel) && r.unconfirmed.isEmpty();
        }
        if (complete) {
          try {
            r.listener.resynchronize();
          } catch (RuntimeException e) {
            log.error("A listener failed to resynchronise", e);
          }
        }
      }
    }

    @Override
    public void onMessage(String channel, String message) {
      lastPongNanos = System.nanoTime();
      for (Registration r : registrations) {
        StatAddress stat = r.channels.get(channel);
        if (stat != null) {
          try {
            r.listener.changed(stat);
          } catch (RuntimeException e) {
            log.error("A listener failed on a notification of {}", channel, e);
          }
        }
      }
    }

    @Override
    public void onPong(String pattern) {
      lastPongNanos = System.nanoTime();
    }

    synchronized void sendPing() {
      try {
        if (isSubscribed()) {
          ping();
        }
      } catch (RuntimeException e) {
        log.debug("Ping on the subscriber connection failed: {}", e.toString());
      }
    }

    synchronized void add(Set<String> channels) {
      try {
        subscribe(channels.toArray(String[]::new));
      } catch (RuntimeException e) {
        // The connection is failing; the reconnect subscribes to everything anyway.
        log.debug("Subscribing to new channels failed: {}", e.toString());
      }
    }

    synchronized void remove(Set<String> channels) {
      try {
        unsubscribe(channels.toArray(String[]::new));
      } catch (RuntimeException e) {
        log.debug("Unsubscribing failed: {}", e.toString());
      }
    }
  }
}
