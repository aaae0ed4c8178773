package com.example.inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An inventory of items, for the chunker's golden tests.
 */
public class Inventory {
    private final List<Item> items = new ArrayList<>();
    private static final char OPEN = '{';

    /** An item and how many of it there are. */
    public record Item(String name, int count) {}

    public enum Status {
        IN_STOCK,
        SOLD_OUT;

        public boolean available() {
            return this == IN_STOCK;
        }
    }

    public Inventory() {
        this(List.of());
    }

    Inventory(List<Item> initial) {
        items.addAll(initial);
    }

    /**
     * Adds an item.
     */
    @Override
    public synchronized void add(String name, int count) {
        items.add(new Item(name, count));
        log("added " + name + " {");
    }

    public <T extends Comparable<T>> List<T> sorted(Map<String, T> byName) {
        List<T> out = new ArrayList<>(byName.values());
        out.sort(null);
        return out;
    }

    private static void log(String message) {
        System.out.println(message);
    }

    public int total() {
        // A long method: with small chunks it starts its own chunk.
        int sum = 0;
        for (Item item : items) {
            if (item.count() < 0) {
                throw new IllegalStateException("negative count for " + item.name());
            }
            sum += item.count();
        }

        String text = """
            a text block with a } brace
            """;
        if (sum > 1000) {
            log("large inventory: " + sum + text);
        }
        for (Item item : items) {
            log(item.name() + ": " + item.count());
        }
        return sum;
    }
}

interface Counter {
    int count();
}
