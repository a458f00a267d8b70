using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// The storage locations of the catalog and the stores behind them: creates locations (secrets sealed before they
/// reach a row), tests them, and opens the store of a config's destination with the retry, throttling and logging
/// wrappers every caller gets (<see cref="BackupStoreFactory.Wrap"/>).
/// </summary>
/// <param name="network">
/// Judges the hosts a new location names (create time); the stores judge what the names resolve to at every connect.
/// </param>
public sealed class StorageLocations(
    BackupCatalog catalog,
    BackupStoreFactory factory,
    SecretSealer sealer,
    StorageProbe probe,
    NetworkPolicy network)
{
    // One store per location serves every activity: connections and pools (FTP, SFTP) are reused instead of opened per
    // step. A location's credentials can change (PUT), on any instance: each open reads the row (one point read) and
    // a store opened for an older version of it is replaced.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset? Version, Lazy<IBackupStore> Store)> _opened = new(StringComparer.Ordinal);

    /// <summary>Validates and stores a new location; errors map JSON paths to messages and nothing is written then.</summary>
    public async Task<(StorageLocation? Location, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(
        StorageLocationInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (settings, errors) = StorageSettingsSchema.Validate(input);
        foreach (var (name, secret) in input.Secrets ?? [])
        {
            if (secret.Setting is { } setting && SecretReferences.Problem(setting) is { } problem)
                errors[$"secrets.{name}"] = [problem];
            else if (secret.Setting is null && !sealer.CanSeal)
                errors[$"secrets.{name}"] = ["This app cannot keep secret values (Secrets:SealingKey is not set): reference an app setting instead, {\"setting\": \"BackupSecrets__NAME\"}."];
        }
        if (errors.Count == 0)
            CheckHosts(settings, errors);
        if (errors.Count > 0)
            return (null, errors);

        var location = await catalog.StorageLocations.CreateAsync((id, now) => new StorageLocation
        {
            Id = id,
            Name = input.Name!.Trim(),
            Type = input.Type!,
            Settings = settings,
            Secrets = (input.Secrets ?? []).ToDictionary(s => s.Key, s => sealer.Protect(id, s.Key, s.Value), StringComparer.Ordinal),
            MaxSizeBytes = input.MaxSizeBytes,
            Immutability = input.Immutability ?? new ImmutabilityOptions(),
            Enabled = input.Enabled ?? true,
            CreatedAt = now,
        }, cancellationToken);
        return (location, errors);
    }

    /// <summary>
    /// Runs the connection test against the location (no retries: the answer should come fast and say what is
    /// wrong) and records it on the location; null when the location does not exist.
    /// </summary>
    public async Task<StorageProbeResult?> TestAsync(string id, CancellationToken cancellationToken)
    {
        var location = await catalog.StorageLocations.GetAsync(id, cancellationToken);
        if (location is null)
            return null;
        var result = await probe.RunAsync(_ => Task.FromResult(OpenRaw(location)), cancellationToken);
        await catalog.StorageLocations.RecordTestAsync(id, result, cancellationToken);
        return result;
    }

    /// <summary>The store of a config's destination, wrapped (retries, throttling, logging).</summary>
    /// <exception cref="InvalidOperationException">The destination names a storage location that does not exist, or a secret cannot be revealed.</exception>
    public async Task<IBackupStore> OpenAsync(StorageDestination destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.StorageId is not { } id)
            return Wrap(factory.Create(destination), destination.Type);
        var location = await catalog.StorageLocations.GetAsync(id, cancellationToken)
            ?? throw new InvalidOperationException($"Storage location '{id}' does not exist (deleted after the config was saved?).");
        var opened = _opened.AddOrUpdate(id,
            _ => (location.UpdatedAt, NewStore(location)),
            (_, cached) => cached.Version == location.UpdatedAt ? cached : (location.UpdatedAt, NewStore(location)));
        return opened.Store.Value;
    }

    /// <summary>
    /// Why no new run may write to <paramref name="destination"/>, or null when it may: its storage location is
    /// disabled. Inline destinations and missing locations are left to <see cref="OpenAsync"/>.
    /// </summary>
    public async Task<string?> DisabledReasonAsync(StorageDestination destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return await FindAsync(destination, cancellationToken) is { Enabled: false } location
            ? $"Storage location '{location.Name}' ({location.Id}) is disabled: no new backup is written to it. Enable it (PUT /api/backup-storage/{location.Id} with \"enabled\": true) or change the config's storage."
            : null;
    }

    /// <summary>
    /// Renames, rotates secrets (sealed as on create), changes the size limit or enables/disables a location; null when
    /// it does not exist. Errors map JSON paths to messages and nothing is written then. The next open of its store,
    /// on every instance, uses the new credentials.
    /// </summary>
    public async Task<(StorageLocation? Location, IReadOnlyDictionary<string, string[]> Errors)> UpdateAsync(
        string id, StorageLocationUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var errors = new Dictionary<string, string[]>();
        var current = await catalog.StorageLocations.GetAsync(id, cancellationToken);
        if (current is null)
            return (null, errors);
        if (update.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl)))
            errors["name"] = ["name is 1-100 characters, no control characters (it is shown in logs and messages)."];
        if (update.MaxSizeBytes is <= 0)
            errors["maxSizeBytes"] = ["maxSizeBytes must be positive when given."];
        var secretFields = StorageSettingsSchema.Secrets[current.Type];
        foreach (var (secretName, secret) in update.Secrets ?? [])
        {
            if (secretFields.All(f => f.Name != secretName))
                errors[$"secrets.{secretName}"] = [secretFields.Count == 0
                    ? $"a {current.Type} destination takes no secrets."
                    : $"'{secretName}' is not a secret of a {current.Type} destination; it takes {string.Join(", ", secretFields.Select(f => f.Name))}."];
            else if (secret is null || (secret.Setting is null && string.IsNullOrEmpty(secret.Value)))
                errors[$"secrets.{secretName}"] = [$"secrets.{secretName} is a string, or {{\"setting\": \"NAME\"}}; a secret cannot be removed, only replaced."];
            else if (secret.Setting is { } setting && SecretReferences.Problem(setting) is { } problem)
                errors[$"secrets.{secretName}"] = [problem];
            else if (secret.Setting is null && !sealer.CanSeal)
                errors[$"secrets.{secretName}"] = ["This app cannot keep secret values (Secrets:SealingKey is not set): reference an app setting instead, {\"setting\": \"BackupSecrets__NAME\"}."];
        }
        if (errors.Count > 0)
            return (null, errors);

        // Sealed once, before the write (which may be retried): a sealed value is bound to the location and the name.
        var sealedSecrets = (update.Secrets ?? []).ToDictionary(s => s.Key, s => sealer.Protect(id, s.Key, s.Value), StringComparer.Ordinal);
        var updated = await catalog.StorageLocations.UpdateAsync(id, location =>
        {
            var secrets = new Dictionary<string, string>(location.Secrets, StringComparer.Ordinal);
            foreach (var (secretName, sealedValue) in sealedSecrets)
                secrets[secretName] = sealedValue;
            return location with
            {
                Name = update.Name?.Trim() ?? location.Name,
                Secrets = secrets,
                MaxSizeBytes = update.MaxSizeBytes ?? location.MaxSizeBytes,
                Enabled = update.Enabled ?? location.Enabled,
            };
        }, cancellationToken);
        if (updated is not null)
            _opened.TryRemove(id, out _);
        return (updated, errors);
    }

    /// <summary>
    /// Deletes a location no config and no backup uses; otherwise touches nothing and says who uses it (the first few).
    /// Null reason and false: it does not exist.
    /// </summary>
    public async Task<(bool Deleted, string? InUse)> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await catalog.StorageLocations.GetAsync(id, cancellationToken) is null)
            return (false, null);
        var configs = new List<string>();
        await foreach (var config in catalog.Configs.AllAsync(cancellationToken))
        {
            if (config.Config.Replicas.Prepend(config.Config.Storage).Any(d => d.StorageId == id))
                configs.Add(config.Id);
        }
        if (configs.Count > 0)
            return (false, $"Config(s) {string.Join(", ", configs.Take(5))}{(configs.Count > 5 ? $" and {configs.Count - 5} more" : "")} use storage location {id}; change their storage first.");
        var backups = new List<string>();
        await foreach (var backup in catalog.Backups.AllAsync(cancellationToken))
        {
            if (backup.Locations.Any(l => l.Status == "ok" && (l.StorageId == id || l.Destination?.StorageId == id)))
                backups.Add(backup.Id);
        }
        if (backups.Count > 0)
            return (false, $"{backups.Count} backup(s) (e.g. {string.Join(", ", backups.Take(3))}) are stored at storage location {id} and are read through it; delete them first.");
        var deleted = await catalog.StorageLocations.DeleteAsync(id, cancellationToken);
        _opened.TryRemove(id, out _);
        return (deleted, null);
    }

    private Lazy<IBackupStore> NewStore(StorageLocation location)
        => new(() => Wrap(OpenRaw(location), location.Type), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>The location a destination names, or null for an inline destination.</summary>
    public async Task<StorageLocation?> FindAsync(StorageDestination destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.StorageId is { } id ? await catalog.StorageLocations.GetAsync(id, cancellationToken) : null;
    }

    /// <summary>
    /// The hosts a location names (S3/GCS <c>endpoint</c>, SFTP/FTP <c>host</c>): an address the policy refuses is
    /// refused here, naming the field; a name is judged by what it resolves to, at every connect.
    /// </summary>
    private void CheckHosts(Dictionary<string, string> settings, Dictionary<string, string[]> errors)
    {
        if (settings.TryGetValue("endpoint", out var endpoint))
        {
            var uri = new Uri(endpoint);
            if (uri.Port is < 1 or > 65535)
                errors["settings.endpoint"] = ["settings.endpoint must have a port between 1 and 65535 (or none)."];
            else if (network.CheckHost(uri.IdnHost) is { } refused)
                errors["settings.endpoint"] = [$"settings.endpoint is not allowed: {refused}."];
        }
        if (settings.TryGetValue("host", out var host))
        {
            var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
            if (Uri.CheckHostName(bare) == UriHostNameType.Unknown)
                errors["settings.host"] = ["settings.host must be a host name or an IP address alone (no scheme, port or path)."];
            else if (network.CheckHost(bare) is { } refused)
                errors["settings.host"] = [$"settings.host is not allowed: {refused}."];
        }
    }

    private IBackupStore OpenRaw(StorageLocation location) =>
        factory.Create(location, name => location.Secrets.TryGetValue(name, out var stored) ? sealer.Reveal(location.Id, name, stored) : null);

    private IBackupStore Wrap(IBackupStore store, string type) => factory.Wrap(store, type);

}
