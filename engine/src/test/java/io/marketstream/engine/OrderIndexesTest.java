package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Side;

/**
 * The book's order-id index and the market's client-order-id index against plain maps, over long
 * random runs of inserts and removals (ids mostly consecutive, as the engine gives them, some
 * arbitrary, as a snapshot may hold; client ids colliding across accounts), checked after every step.
 */
class OrderIndexesTest {
    private final ClientOrderIndex clientIds = new ClientOrderIndex();

    private RestingOrder order(long id, long account, String clientOrderId) {
        return new RestingOrder(id, new Account(account, clientIds), clientOrderId, Side.BUY, 100, 1);
    }

    @Test
    void shouldAgreeWithAMapOverRandomPlacesAndRemovals() {
        Random random = new Random(7);
        OrderIndex index = new OrderIndex();
        Map<Long, RestingOrder> model = new HashMap<>();
        List<Long> live = new ArrayList<>();
        long nextId = 1;
        for (int step = 0; step < 200_000; step++) {
            if (live.isEmpty() || random.nextInt(100) < 55) {
                long id = random.nextInt(50) == 0 ? 1 + random.nextLong(Long.MAX_VALUE - 1) : nextId++;
                if (model.containsKey(id)) {
                    continue;
                }
                RestingOrder o = order(id, 1, null);
                index.put(o);
                model.put(id, o);
                live.add(id);
            } else {
                long id = live.remove(random.nextInt(live.size()));
                assertThat(index.remove(id)).isSameAs(model.remove(id));
                assertThat(index.remove(id)).isNull();
            }
            long probe = random.nextBoolean() && !live.isEmpty() ? live.get(random.nextInt(live.size()))
                    : random.nextLong(-10, nextId + 10);
            assertThat(index.get(probe)).isSameAs(model.get(probe));
            assertThat(index.size()).isEqualTo(model.size());
        }
        List<RestingOrder> all = new ArrayList<>();
        index.forEach(all::add);
        assertThat(all).containsExactlyInAnyOrderElementsOf(model.values());
        RestingOrder first = model.values().iterator().next();
        assertThatThrownBy(() -> index.put(order(first.orderId, 2, null))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldFindClientOrderIdsPerAccountOverRandomPlacesAndRemovals() {
        Random random = new Random(11);
        Map<String, RestingOrder> model = new HashMap<>();
        List<RestingOrder> live = new ArrayList<>();
        long nextId = 1;
        for (int step = 0; step < 200_000; step++) {
            long account = random.nextInt(20);
            String clientOrderId = "c" + random.nextInt(3_000);
            String key = account + "/" + clientOrderId;
            if (random.nextInt(100) < 55) {
                if (!model.containsKey(key)) {
                    RestingOrder o = order(nextId++, account, clientOrderId);
                    clientIds.add(o);
                    model.put(key, o);
                    live.add(o);
                }
            } else if (!live.isEmpty()) {
                RestingOrder o = live.remove(random.nextInt(live.size()));
                clientIds.remove(o);
                model.remove(o.account + "/" + o.clientOrderId);
                assertThat(clientIds.find(o.account, o.clientOrderId)).isNull();
            }
            assertThat(clientIds.find(account, clientOrderId)).isSameAs(model.get(key));
            assertThat(clientIds.size()).isEqualTo(model.size());
            if (step % 10_000 == 0) {
                for (RestingOrder o : live) {
                    assertThat(clientIds.find(o.account, o.clientOrderId)).isSameAs(o);
                }
            }
        }
        for (RestingOrder o : live) {
            assertThat(clientIds.find(o.account, o.clientOrderId)).isSameAs(o);
        }
        RestingOrder gone = order(nextId, 1, "never-filed");
        gone.clientIdHash = ClientOrderIndex.hash(1, "never-filed");
        assertThatThrownBy(() -> clientIds.remove(gone)).isInstanceOf(IllegalStateException.class);
    }
}
