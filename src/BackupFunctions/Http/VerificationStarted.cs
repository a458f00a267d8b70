namespace BackupFunctions.Http;

/// <summary>The answer to <c>POST /api/backups/{id}/verify</c> (202): the level and the copies (0 the primary) being verified.</summary>
public sealed record VerificationStarted(string BackupId, string Level, IReadOnlyList<int> Copies);
