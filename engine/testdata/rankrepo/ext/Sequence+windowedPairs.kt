package ext

/**
 * Returns each element with the one after it, lazily: the last element has
 * no partner and is left out, and an empty input gives nothing at all.
 */
fun <T> Sequence<T>.windowedPairs(): Sequence<Pair<T, T>> = sequence {
    val iterator = iterator()
    if (!iterator.hasNext()) return@sequence
    var previous = iterator.next()
    while (iterator.hasNext()) {
        val current = iterator.next()
        yield(previous to current)
        previous = current
    }
}
