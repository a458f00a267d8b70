namespace BackupFunctions.Core.Archive;

/// <summary>Text of the notes in a <see cref="NoteList{T}"/>: long paths are cut so that a whole list fits one catalog column.</summary>
internal static class NoteText
{
    /// <summary><paramref name="text"/> cut to <paramref name="maxChars"/> characters plus '…', never between the halves of a surrogate pair.</summary>
    public static string Cut(string text, int maxChars)
    {
        if (text.Length <= maxChars)
            return text;
        var length = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..length] + "…";
    }
}
