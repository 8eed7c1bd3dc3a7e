package org.arithmospora.redis;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.store.StoreUnavailableException;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Reads one source's stats from Redis: every batch is one pipeline, so a whole source is read in as
 * many round trips as its trees are deep. Follows stats through the store's shared subscriber.
 */
final class RedisStatLoader implements StatLoader {
  private static final Logger log = LoggerFactory.getLogger(RedisStatLoader.class);
  private final ReadClient client;
  private final RedisKeys keys;
  private final RedisSubscriber subscriber;
  private final String address;
  private final RedisSettings settings;

  RedisStatLoader(
      ReadClient client, RedisKeys keys, RedisSubscriber subscriber, RedisSettings settings) {
    this.client = client;
    this.keys = keys;
    this.subscriber = subscriber;
    this.address = settings.address();
    this.settings = settings;
  }

  @Override
  public ReadBatch newBatch() {
    return new Batch();
  }

  @Override
  public Subscription follow(Collection<StatAddress> stats, ChangeListener listener) {
    Map<String, StatAddress> channels = new LinkedHashMap<>();
    for (StatAddress s : stats) {
      channels.put(keys.updates(s), s);
    }
    return subscriber.register(channels, listener);
  }

  @Override
  public String toString() {
    return "Redis " + address + " prefix '" + keys.prefix() + "'";
  }

  /** One queued command: sends itself on a pipeline and keeps the response. */
  private abstract static class Op<T> implements Reply<T> {
    final String key;
    Response<?> response;

    Op(String key) {
      this.key = key;
    }

    abstract void send(AbstractPipeline p);

    abstract T convert(Object reply);

    @Override
    public T get() throws StatReadException {
      try {
        return convert(response.get());
      } catch (JedisDataException e) {
        // WRONGTYPE and friends: a key of the wrong Redis type.
        throw new StatReadException(key, null, e.getMessage(), e);
      }
    }
  }

  private final class Batch implements ReadBatch {
    private final List<Op<?>> ops = new ArrayList<>();

    @Override
    public Reply<RawData> read(NodeAddress node, NodeQuery query) {
      String key = keys.data(node);
      Op<RawData> op =
          switch (query.kind()) {
            case NONE ->
                new Op<>(key) {
                  @Override
                  void send(AbstractPipeline p) {
                    response = null;
                  }

                  @Override
                  RawData convert(Object reply) {
                    return RawData.empty(key);
                  }

                  @Override
                  public RawData get() {
                    return RawData.empty(key);
                  }
                };
            case VALUE ->
                new Op<>(key) {
                  @Override
                  void send(AbstractPipeline p) {
                    response = p.get(key);
                  }

                  @Override
                  RawData convert(Object reply) {
                    return RawData.ofValue(key, (String) reply);
                  }
                };
            case ALL_FIELDS ->
                new Op<>(key) {
                  @Override
                  void send(AbstractPipeline p) {
                    response = p.hgetAll(key);
                  }

                  @Override
                  @SuppressWarnings("unchecked")
                  RawData convert(Object reply) {
                    return RawData.ofFields(key, (Map<String, String>) reply);
                  }
                };
            case FIELDS ->
                new Op<>(key) {
                  final String[] fields = query.fieldNames().toArray(String[]::new);

                  @Override
                  void send(AbstractPipeline p) {
                    response = p.hmget(key, fields);
                  }

                  @Override
                  @SuppressWarnings("unchecked")
                  RawData convert(Object reply) {
                    List<String> values = (List<String>) reply;
                    Map<String, String> present = new LinkedHashMap<>();
                    for (int i = 0; i < fields.length; i++) {
                      if (values.get(i) != null) {
                        present.put(fields[i], values.get(i));
                      }
                    }
                    return RawData.ofFields(key, present);
                  }
                };
          };
      ops.add(op);
      return op;
    }

    @Override
    public Reply<Set<String>> dataPointNames(NodeAddress node) {
      String key = keys.dataPoints(node);
      Op<Set<String>> op =
          new Op<>(key) {
            @Override
            void send(AbstractPipeline p) {
              response = p.smembers(key);
            }

            @Override
            @SuppressWarnings("unchecked")
            Set<String> convert(Object reply) {
              return (Set<String>) reply;
            }
          };
      ops.add(op);
      return op;
    }

    @Override
    public void execute() throws StoreUnavailableException {
      if (ops.isEmpty()) {
        return;
      }
      long started = System.nanoTime();
      try {
        send();
      } finally {
        sayIfStalled(System.nanoTime() - started);
      }
    }

    private void send() throws StoreUnavailableException {
      // A pooled connection may have died with a Redis restart; one retry takes a fresh one.
      // Not after a timeout: Redis is there but stalled, and a retry would only wait as long again.
      for (int attempt = 1; ; attempt++) {
        try (AbstractPipeline p = client.get().pipelined()) {
          for (Op<?> op : ops) {
            op.send(p);
          }
          p.sync();
          return;
        } catch (JedisRedirectionException e) {
          // A cluster's slot moved: learn where it went, then read once more.
          client.onRedirected();
          if (attempt >= 2) {
            throw new StoreUnavailableException(
                "Redis at " + address + " redirected the reads: " + e.getMessage(), e);
          }
        } catch (JedisDataException e) {
          throw new StoreUnavailableException(
              "Redis at " + address + " refused the reads: " + e.getMessage(), e);
        } catch (JedisException e) {
          if (timedOut(e)) {
            throw new StoreUnavailableException(
                "Redis at "
                    + address
                    + " did not answer within read_timeout_ms ("
                    + settings.readTimeout().toMillis()
                    + " ms)",
                e);
          }
          if (attempt >= 2) {
            throw new StoreUnavailableException(
                "Redis at " + address + " is unreachable: " + describe(e), e);
          }
        }
      }
    }

    /**
     * A read may wait for a pooled connection, open one and wait for the answer: longer than all of
     * that together is a stall the timeouts did not bound, and the operator should hear of it.
     */
    private void sayIfStalled(long tookNanos) {
      Duration bound = settings.connectTimeout().plus(settings.readTimeout()).multipliedBy(2);
      if (tookNanos > bound.toNanos()) {
        log.warn(
            "A read from Redis at {} took {} ms, more than twice connect_timeout_ms + "
                + "read_timeout_ms ({} ms): the pool or the network held it up",
            address,
            TimeUnit.NANOSECONDS.toMillis(tookNanos),
            bound.toMillis());
      }
    }
  }

  /** Whether a read failed because Redis did not answer in time, as opposed to not being there. */
  static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    Throwable cause = e.getCause();
    while ((message == null || message.isBlank()) && cause != null) {
      message = cause.getMessage();
      cause = cause.getCause();
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
