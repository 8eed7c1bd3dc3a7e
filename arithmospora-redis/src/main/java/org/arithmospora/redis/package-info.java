/**
 * Reads Arithmospora stats from Redis with Jedis and follows their {@code :updates} channels.
 *
 * <pre>{@code
 * try (RedisStore redis = RedisStore.connect(RedisSettings.builder().address("localhost:6379").build())) {
 *   LiveSource source = LiveSource.builder(definition).loader("redis", redis.loader("election:2017")).build();
 *   source.start();
 * }
 * }</pre>
 *
 * <p>The key layout is SPEC §2 ({@link org.arithmospora.redis.RedisKeys}). Whole-source reads are
 * pipelined level by level; one subscriber connection carries every live stat's channel; a lost
 * connection is retried with backoff and, once back, every source is read again.
 */
package org.arithmospora.redis;
