using System.Text.Json.Serialization;
using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// An HTTP endpoint that gets each event as a JSON POST, signed with <see cref="Secret"/> when one is given
/// (header <c>X-BackupFunctions-Signature</c>, see <see cref="WebhookSignature"/>).
/// </summary>
public sealed record WebhookChannel
{
    /// <summary>https, or http to a loopback host only (the events and their signature travel in it).</summary>
    public string Url { get; init; } = "";

    /// <summary>
    /// The signing secret as posted: the value (sealed before it is stored) or <c>{"setting": "BackupSecrets__NAME"}</c>. Never kept
    /// or answered as a value: a stored config holds <see cref="ProtectedSecret"/> instead.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SecretValue? Secret { get; init; }

    /// <summary>
    /// What the catalog keeps for the secret: <c>sealed:v1:…</c> (opens only for this URL) or <c>setting:BackupSecrets__NAME</c>.
    /// Set by the service (<see cref="NotificationSetup.Prepare(NotificationConfig?, NotificationConfig?)"/>); never shown by the API.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProtectedSecret { get; init; }

    /// <summary>
    /// Input only, as answers show it: <c>true</c> without <see cref="Secret"/> keeps the secret already stored for this
    /// webhook (an answer sent back by PUT). Never stored (<see cref="NotificationSetup.Prepare(NotificationConfig?, NotificationConfig?)"/> clears it).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Signing { get; init; }

    /// <summary>
    /// Input only, as answers show it: the app setting the stored secret comes from; sent back unchanged it keeps that
    /// reference (to change it, send <see cref="Secret"/>). Never stored.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SecretSetting { get; init; }
}
