using BackupFunctions.Core.Secrets;
using Microsoft.Extensions.Configuration;

namespace BackupFunctions.Core.Tests.Support;

/// <summary><see cref="SecretReferences"/> over an in-memory configuration, as the app builds it from its settings.</summary>
public static class TestSecretReferences
{
    /// <summary>No settings at all: every reference resolves to "not set".</summary>
    public static SecretReferences None { get; } = With();

    /// <summary>A configuration holding <paramref name="settings"/> (configuration keys: <c>BackupSecrets:NAME</c>, <c>Keys:TransitKey</c>).</summary>
    public static SecretReferences With(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());
}
