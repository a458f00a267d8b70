using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>Secret scan with the local key file as key-encryption key.</summary>
public sealed class KeyFileSecretLeakTests(LocalHostFixture host) : SecretLeakTests(host), IClassFixture<LocalHostFixture>
{
    protected override IKeyEncryptionKey RestoreKey => new LocalKeyFileKek(Host.KeyFile);

    protected override IEnumerable<string> OtherSecrets => [File.ReadAllText(Host.KeyFile).Trim()];
}

/// <summary>Secret scan with a passphrase as key-encryption key and a transit key for the data key between steps.</summary>
public sealed class PassphraseSecretLeakTests(PassphraseHostFixture host) : SecretLeakTests(host), IClassFixture<PassphraseHostFixture>
{
    protected override IKeyEncryptionKey RestoreKey => new PassphraseKek(PassphraseHostFixture.Passphrase);

    protected override IEnumerable<string> OtherSecrets => [PassphraseHostFixture.Passphrase, host.TransitKey];
}

/// <summary>
/// After a real backup and an in-place restore of it, the plain data key (and the key-encryption key or passphrase) must appear nowhere the service
/// keeps things: not in the Durable history, not in any catalog row, not in any log line — in any of the usual encodings.
/// </summary>
public abstract class SecretLeakTests(LocalHostFixture host)
{
    protected LocalHostFixture Host => host;

    /// <summary>What unwraps this host's data keys (to learn the key the scan looks for).</summary>
    protected abstract IKeyEncryptionKey RestoreKey { get; }

    /// <summary>The key-encryption secrets themselves, as text.</summary>
    protected abstract IEnumerable<string> OtherSecrets { get; }

    [Fact]
    public async Task The_plain_data_key_is_in_no_history_table_row_or_log_line()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("secret"));
        try
        {
            var site = SampleCms.CreateSite(host.Scratch("site"));
            var prefix = "secrets-" + Guid.NewGuid().ToString("N")[..6];
            var configId = await host.CreateConfigAsync(new
            {
                name = "secret scan",
                database = new { host = db.Host, port = db.Port, database = db.Database, username = db.Username },
                files = new { root = site },
                schedule = new { frequency = "manual" },
                storage = new { type = "azureBlob", container = host.Container, prefix },
            });
            using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
            Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

            // The secret to look for: this backup's data key, from its own manifest and the key file.
            var manifestBlob = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, host.Container)
                .GetBlobClient(ObjectNames.BackupFolder(prefix, jobId) + ObjectNames.Manifest);
            var manifest = ManifestFile.Read((await manifestBlob.DownloadContentAsync()).Value.Content.ToArray()).Manifest;
            Assert.NotNull(manifest.Key);
            var dataKey = await RestoreKey.UnwrapAsync(manifest.Key, default);
            var forbidden = Encodings(dataKey).Concat(OtherSecrets).ToList();

            // A restore of it in place (with its pre-restore backup, a sub-orchestration) unwraps the key in every step
            // that reads the backup: none of them may leave it anywhere either.
            File.AppendAllText(Path.Combine(site, "uploads", "changed-after-backup.txt"), "changed");
            var restoreJobId = await RestoreJobPolling.StartAsync(host.Http, jobId, new { });
            var restore = await RestoreJobPolling.WaitAsync(host.Http, restoreJobId, TimeSpan.FromMinutes(3));
            Assert.True(restore.GetProperty("status").GetString() == "completed", restore.ToString());
            Assert.False(File.Exists(Path.Combine(site, "uploads", "changed-after-backup.txt")));

            var history = await HistoryTextAsync(jobId) + await HistoryTextAsync(restoreJobId);
            var tables = await CatalogTextAsync();
            var logs = string.Join('\n', host.Logs.Lines);

            // Each haystack must really hold this backup's traces, or an empty scan would pass.
            Assert.Contains(manifest.Key.WrappedKey, history, StringComparison.Ordinal);
            Assert.Contains(jobId, tables, StringComparison.Ordinal);
            Assert.Contains(jobId, logs, StringComparison.Ordinal);
            Assert.Contains(restoreJobId, history, StringComparison.Ordinal);
            Assert.Contains(restoreJobId, tables, StringComparison.Ordinal);
            foreach (var secret in forbidden)
            {
                Assert.DoesNotContain(secret, history, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, tables, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, logs, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(db.Database);
        }
    }

    /// <summary>The ways a 32-byte key tends to leak: base64, base64url, hex; and a JSON byte array's start.</summary>
    private static IEnumerable<string> Encodings(byte[] key)
    {
        yield return Convert.ToBase64String(key);
        yield return Convert.ToBase64String(key).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return Convert.ToHexString(key);
        yield return "[" + string.Join(",", key.Take(8));
    }

    private async Task<string> HistoryTextAsync(string instanceId)
    {
        // Every payload the worker serialized into history, plus what the in-memory service keeps of the instance.
        // JSON escapes characters such as '+', so search the decoded values as well as the raw text.
        var text = new StringBuilder();
        foreach (var payload in host.History.Payloads)
            text.AppendLine(payload).AppendLine(DecodedValues(payload));
        foreach (var state in await host.Host.Services.GetInMemoryOrchestrationService().GetOrchestrationStateAsync(instanceId, allExecutions: true))
            text.AppendLine(state.Input).AppendLine(state.Output).AppendLine(state.Status);
        return text.ToString();
    }

    private static string DecodedValues(string json)
    {
        var values = new StringBuilder();
        void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                        Walk(p.Value);
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                        Walk(item);
                    break;
                case JsonValueKind.String:
                    values.Append(e.GetString()).Append('\n');
                    break;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            Walk(document.RootElement);
        }
        catch (JsonException)
        {
        }
        return values.ToString();
    }

    private async Task<string> CatalogTextAsync()
    {
        var service = new TableServiceClient(TestEnvironment.AzuriteConnectionString);
        var text = new StringBuilder();
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(host.TablePrefix) >= 0 && t.Name.CompareTo(host.TablePrefix + "~") < 0))
        {
            await foreach (var row in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
                text.AppendLine(string.Join(";", row.Select(p => $"{p.Key}={p.Value}")));
        }
        return text.ToString();
    }
}
