import { computed, ref } from 'vue'

/**
 * A filter box over a list: every word typed must appear (case-insensitive) in the words of an item.
 * items: a ref or computed list; wordsOf(item) -> the texts to search. Returns { filter, shown }.
 */
export function useWordFilter(items, wordsOf) {
  const filter = ref('')
  const shown = computed(() => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean)
    if (words.length === 0) return items.value
    return items.value.filter((item) => {
      const text = wordsOf(item).join(' ').toLowerCase()
      return words.every((w) => text.includes(w))
    })
  })
  return { filter, shown }
}
