package distilj.tokenizer;

import java.util.Arrays;

/** A growable int array: the token ids of one text, appended to without boxing. */
public final class IntList {
    private int[] a;
    private int size;

    public IntList() {
        this(64);
    }

    public IntList(int capacity) {
        a = new int[Math.max(capacity, 4)];
    }

    public void add(int v) {
        if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[size++] = v;
    }

    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i + " >= " + size);
        return a[i];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Drops everything from {@code newSize} on (truncation). */
    public void truncate(int newSize) {
        if (newSize < size) size = Math.max(newSize, 0);
    }

    public int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
