namespace BackupFunctions.Ui;

/// <summary>One embedded file of the dashboard: its name under <c>/api/ui/</c>, content type, ETag and bytes.</summary>
public sealed record UiAsset(string Name, string ContentType, string ETag, byte[] Content);
