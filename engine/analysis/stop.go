package analysis

// isStopWord reports whether w, lowercased, is an English function word
// that carries no meaning in a search. Words that are also keywords of
// common programming languages (if, for, do, not, this, case, where, ...)
// are deliberately not stop words. The letters s and t are: they are what
// splitting leaves of contractions such as it's and don't.
func isStopWord(w []byte) bool {
	switch string(w) {
	case "a", "about", "am", "an", "and", "are", "as", "at", "be", "been",
		"being", "but", "by", "can", "could", "did", "does", "during", "from",
		"had", "has", "have", "he", "her", "his", "how", "i", "in", "into",
		"is", "it", "its", "may", "me", "might", "must", "my", "of", "on",
		"or", "our", "s", "shall", "she", "should", "so", "such", "t", "than",
		"that", "the", "their", "them", "there", "these", "they", "those",
		"to", "was", "we", "were", "what", "which", "who", "whom", "why",
		"will", "with", "would", "you", "your":
		return true
	}
	return false
}
