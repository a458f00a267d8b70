namespace BackupFunctions.Http;

/// <summary>A webhook as the API shows it: whether it signs its requests (<c>signing</c>), and the app setting its secret comes from (null when sealed).</summary>
public sealed record WebhookView(string Url, bool Signing, string? SecretSetting);
