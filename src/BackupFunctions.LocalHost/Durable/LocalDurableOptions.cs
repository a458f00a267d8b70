namespace BackupFunctions.LocalHost.Durable;

/// <summary>
/// Where the local host keeps orchestration state (settings section <c>LocalHost</c>). The default, in memory, loses
/// every running orchestration with the process; <c>azureStorage</c> keeps history, queues and leases in the storage
/// account of <see cref="StorageConnection"/> (Azurite locally), the backend the Azure Functions host uses, so a host
/// killed mid-job and started again replays the job from its history and carries on.
/// </summary>
public sealed class LocalDurableOptions
{
    public const string SectionName = "LocalHost";

    public const string InMemory = "inMemory";

    public const string AzureStorage = "azureStorage";

    /// <summary><c>inMemory</c> (default) or <c>azureStorage</c>.</summary>
    public string DurableBackend { get; set; } = InMemory;

    /// <summary>Task hub name for <c>azureStorage</c>: prefixes its queues, tables and lease container (3–45 letters and digits, starting with a letter).</summary>
    public string TaskHub { get; set; } = "BackupFunctionsLocal";

    /// <summary>Connection string of the storage account for <c>azureStorage</c>; empty means <c>AzureWebJobsStorage</c>.</summary>
    public string StorageConnection { get; set; } = "";

    /// <summary>
    /// For <c>azureStorage</c>: how long a dequeued message stays hidden from other workers. The local sidecar does not
    /// renew it, so it must exceed the longest activity (else the activity runs twice); after a kill, the activity that
    /// was running starts again once it has passed.
    /// </summary>
    public int MessageVisibilitySeconds { get; set; } = 300;

    /// <summary>
    /// TEST ONLY: waits this long before each ArchiveVolume activity writes its volume, so a test can kill the host
    /// between volumes. 0 (default) in every real use.
    /// </summary>
    public int TestOnlyVolumeDelayMilliseconds { get; set; }

    public bool UsesAzureStorage => string.Equals(DurableBackend, AzureStorage, StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when valid, else the message naming the setting.</summary>
    public string? Validate() =>
        !string.Equals(DurableBackend, InMemory, StringComparison.OrdinalIgnoreCase) && !UsesAzureStorage
            ? $"LocalHost:DurableBackend must be '{InMemory}' or '{AzureStorage}'."
            : UsesAzureStorage && !System.Text.RegularExpressions.Regex.IsMatch(TaskHub, "^[A-Za-z][A-Za-z0-9]{2,44}$")
                ? "LocalHost:TaskHub must be 3-45 letters and digits, starting with a letter."
                : MessageVisibilitySeconds is < 5 or > 86_400 ? "LocalHost:MessageVisibilitySeconds must be 5-86400."
                : TestOnlyVolumeDelayMilliseconds is < 0 or > 600_000 ? "LocalHost:TestOnlyVolumeDelayMilliseconds must be 0-600000."
                : null;
}
