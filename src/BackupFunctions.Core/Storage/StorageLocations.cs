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
    // Locations never change once written (a new setting is a new location), so one store per location serves every
    // activity: connections and pools (FTP, SFTP) are reused instead of opened per step.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<IBackupStore>> _opened = new(StringComparer.Ordinal);

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
        if (_opened.TryGetValue(id, out var cached))
            return cached.Value;
        var location = await catalog.StorageLocations.GetAsync(id, cancellationToken)
            ?? throw new InvalidOperationException($"Storage location '{id}' does not exist (deleted after the config was saved?).");
        return _opened.GetOrAdd(id, _ => new Lazy<IBackupStore>(() => Wrap(OpenRaw(location), location.Type), LazyThreadSafetyMode.PublicationOnly)).Value;
    }

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
