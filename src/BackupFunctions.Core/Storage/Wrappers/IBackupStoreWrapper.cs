namespace BackupFunctions.Core.Storage.Wrappers;

/// <summary>A store that adds behaviour (retries, throttling, logging) around another one.</summary>
public interface IBackupStoreWrapper
{
    /// <summary>The wrapped store.</summary>
    IBackupStore Inner { get; }
}
