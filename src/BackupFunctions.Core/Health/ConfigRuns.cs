using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>
/// What a config's recent runs say about it: the failed runs since its last successful one, and its latest
/// successful runs (newest first), read from the jobs newest first and no further back than needed.
/// </summary>
public sealed record ConfigRuns(int ConsecutiveFailures, IReadOnlyList<BackupJob> Successes)
{
    public BackupJob? LastSuccess => Successes.Count > 0 ? Successes[0] : null;

    /// <summary>The summary of <paramref name="newestFirst"/>, keeping at most <paramref name="successes"/> successful runs.</summary>
    public static ConfigRuns From(IEnumerable<BackupJob> newestFirst, int successes)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(successes);
        var jobs = newestFirst.ToList();
        return new ConfigRuns(
            AlertRules.ConsecutiveFailures(jobs.Select(j => j.Status)),
            [.. jobs.Where(j => AlertRules.IsSuccess(j.Status)).Take(successes)]);
    }

    /// <summary>Reads the config's jobs newest first until <paramref name="successes"/> successful ones are found.</summary>
    public static async Task<ConfigRuns> ReadAsync(BackupCatalog catalog, string configId, int successes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(successes);
        var jobs = new List<BackupJob>();
        var found = 0;
        await foreach (var job in catalog.Jobs.OfConfigAsync(configId, null, cancellationToken))
        {
            jobs.Add(job);
            if (AlertRules.IsSuccess(job.Status) && ++found == successes)
                break;
        }
        return From(jobs, successes);
    }
}
