using System.Diagnostics;
using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Tests.Keys;

public sealed class KeyVaultKekTests : IAsyncLifetime
{
    private const string Token = "test-token-full";
    private const string ReaderToken = "test-token-reader";
    private const string KeyName = "backup-kek";

    private FakeKeyVault _vault = null!;
    private string _v1 = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _vault.AddIdentity(Token);
        _vault.AddIdentity(ReaderToken, canGet: true, canWrap: false, canUnwrap: false);
        _v1 = _vault.CreateKeyVersion(KeyName);
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Wrap_then_unwrap_round_trips_and_records_the_versioned_key_id()
    {
        var kek = CreateKek(out _);
        var dataKey = DataKeys.Generate();

        var envelope = await kek.WrapAsync(dataKey, CancellationToken.None);

        Assert.Equal("keyvault", envelope.KekType);
        Assert.Equal("RSA-OAEP-256", envelope.Algorithm);
        Assert.Equal(_vault.Kid(KeyName, _v1), envelope.KeyId);
        Assert.Null(envelope.Kdf);
        Assert.Equal(256, Convert.FromBase64String(envelope.WrappedKey).Length);
        Assert.Equal(dataKey, await kek.UnwrapAsync(envelope, CancellationToken.None));
        Assert.Contains(_vault.Requests, r => r is { Method: "POST", Status: 200 } && r.Path == $"/keys/{KeyName}/{_v1}/unwrapkey");
    }

    [Fact]
    public async Task Wrap_needs_only_get_key_so_a_read_only_identity_can_back_up()
    {
        var kek = CreateKek(out _, token: ReaderToken);
        var dataKey = DataKeys.Generate();

        var envelope = await kek.WrapAsync(dataKey, CancellationToken.None);

        Assert.All(_vault.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Equal(dataKey, _vault.Decrypt(KeyName, _v1, Convert.FromBase64String(envelope.WrappedKey)));
        // The same identity cannot unwrap: the vault says so, and the message says what to grant.
        var e = await Assert.ThrowsAsync<KeyVaultException>(() => kek.UnwrapAsync(envelope, CancellationToken.None));
        Assert.Equal(403, e.Status);
        Assert.Contains("keys/unwrapKey", e.Message, StringComparison.Ordinal);
        Assert.Contains("Key Vault Crypto User", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReaderToken, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_rotation_new_wraps_use_the_new_version_and_old_envelopes_still_unwrap()
    {
        var kek = CreateKek(out _);
        var oldKey = DataKeys.Generate();
        var oldEnvelope = await kek.WrapAsync(oldKey, CancellationToken.None);

        var v2 = _vault.CreateKeyVersion(KeyName);
        var newKey = DataKeys.Generate();
        var newEnvelope = await kek.WrapAsync(newKey, CancellationToken.None);

        Assert.Equal(_vault.Kid(KeyName, _v1), oldEnvelope.KeyId);
        Assert.Equal(_vault.Kid(KeyName, v2), newEnvelope.KeyId);
        Assert.Equal(newKey, _vault.Decrypt(KeyName, v2, Convert.FromBase64String(newEnvelope.WrappedKey)));
        Assert.Equal(oldKey, await kek.UnwrapAsync(oldEnvelope, CancellationToken.None));
        Assert.Equal(newKey, await kek.UnwrapAsync(newEnvelope, CancellationToken.None));
        Assert.Contains(_vault.Requests, r => r.Path == $"/keys/{KeyName}/{_v1}/unwrapkey" && r.Status == 200);
    }

    [Fact]
    public async Task A_versioned_url_keeps_wrapping_with_that_version_and_fetches_its_public_key_once()
    {
        var kek = CreateKek(out _, url: new Uri($"{_vault.Authority}/keys/{KeyName}/{_v1}"));
        await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        _vault.CreateKeyVersion(KeyName);

        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);

        Assert.Equal(_vault.Kid(KeyName, _v1), envelope.KeyId);
        Assert.Single(_vault.Requests, r => r.Status == 200);
    }

    [Fact]
    public async Task The_first_request_is_challenged_then_retried_with_a_token_for_the_challenged_scope_and_tenant()
    {
        var kek = CreateKek(out var credential);

        await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);

        var requests = _vault.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        Assert.Equal((null, 401), (requests[0].Authorization, requests[0].Status));
        Assert.Equal(("Bearer " + Token, 200), (requests[1].Authorization, requests[1].Status));
        // The scope is cached: the second wrap carries the token straight away.
        Assert.Equal(("Bearer " + Token, 200), (requests[2].Authorization, requests[2].Status));
        var context = Assert.Single(credential.Requests.DistinctBy(c => (string.Join(' ', c.Scopes), c.TenantId)));
        Assert.Equal(["https://vault.azure.net/.default"], context.Scopes);
        Assert.Equal(FakeKeyVault.Tenant, context.TenantId);
    }

    [Fact]
    public async Task A_token_the_vault_rejects_is_a_401_error()
    {
        var kek = CreateKek(out _, token: "not-a-token-of-this-vault");

        var e = await Assert.ThrowsAsync<KeyVaultException>(() => kek.WrapAsync(DataKeys.Generate(), CancellationToken.None));

        Assert.Equal(401, e.Status);
        Assert.Contains("tenant", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-token-of-this-vault", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_challenge_naming_a_resource_outside_the_vaults_domain_gets_no_token()
    {
        var credential = new FixedTokenCredential(Token);
        var options = Options();
        options.DisableChallengeResourceVerification = false;
        var kek = new KeyVaultKek(new Uri($"{_vault.Authority}/keys/{KeyName}"), credential, options);

        var e = await Assert.ThrowsAsync<KeyVaultException>(() => kek.WrapAsync(DataKeys.Generate(), CancellationToken.None));

        Assert.Equal("ChallengeResourceMismatch", e.ErrorCode);
        Assert.Empty(credential.Requests);
        Assert.All(_vault.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task An_unknown_key_or_version_is_a_404_saying_key_not_found()
    {
        var missingKey = CreateKek(out _, url: new Uri($"{_vault.Authority}/keys/no-such-key"));
        var e = await Assert.ThrowsAsync<KeyVaultException>(() => missingKey.WrapAsync(DataKeys.Generate(), CancellationToken.None));
        Assert.Equal(404, e.Status);
        Assert.StartsWith("Key not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("KeyNotFound", e.ErrorCode, StringComparison.Ordinal);

        var kek = CreateKek(out _);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var unknownVersion = envelope with { KeyId = _vault.Kid(KeyName, "v99deleted") };
        e = await Assert.ThrowsAsync<KeyVaultException>(() => kek.UnwrapAsync(unknownVersion, CancellationToken.None));
        Assert.Equal(404, e.Status);
        Assert.Contains("v99deleted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_vaults_Retry_After()
    {
        var kek = CreateKek(out _);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        _vault.ThrottleNext = 1;

        var clock = Stopwatch.StartNew();
        await kek.UnwrapAsync(envelope, CancellationToken.None);

        // The client's own retry delay is 10 ms; only Retry-After: 1 explains a wait of about a second.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(30));
        var unwraps = _vault.Requests.Where(r => r.Path.EndsWith("/unwrapkey", StringComparison.Ordinal)).Select(r => r.Status).ToArray();
        Assert.Equal([429, 200], unwraps);
    }

    [Fact]
    public async Task A_plain_http_url_is_refused_and_nothing_is_sent()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new KeyVaultKek(new Uri($"{_vault.PlainHttpUri.GetLeftPart(UriPartial.Authority)}/keys/{KeyName}"), new FixedTokenCredential(Token), Options()));
        Assert.Contains("https", e.Message, StringComparison.Ordinal);

        // The policy underneath refuses http on its own too (Azure.Core's bearer policy), even with the scope not yet known.
        var credential = new FixedTokenCredential(Token);
        var pipeline = HttpPipelineBuilder.Build(Options(), new KeyVaultChallengePolicy(credential, verifyChallengeResource: false));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(_vault.PlainHttpUri, $"keys/{KeyName}?api-version={FakeKeyVault.ApiVersion}"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.SendAsync(message, CancellationToken.None).AsTask());
        Assert.Empty(_vault.Requests);
        Assert.Empty(credential.Requests);
    }

    [Theory]
    [InlineData("https://attacker.example/keys/backup-kek/v1")]
    [InlineData("https://127.0.0.1:1/keys/backup-kek/v1")]
    [InlineData("http://127.0.0.1/keys/backup-kek/v1")]
    public async Task An_envelope_pointing_to_another_host_is_refused_before_any_request(string keyId)
    {
        var kek = CreateKek(out var credential);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var sent = _vault.Requests.Count;
        var tokensAsked = credential.Requests.Count;

        var e = await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { KeyId = keyId }, CancellationToken.None));

        Assert.Contains("not on the configured vault", e.Message, StringComparison.Ordinal);
        Assert.Equal(sent, _vault.Requests.Count);
        Assert.Equal(tokensAsked, credential.Requests.Count);
    }

    [Fact]
    public async Task An_unversioned_key_id_in_an_envelope_is_refused()
    {
        var kek = CreateKek(out _);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);

        await Assert.ThrowsAsync<IntegrityException>(() =>
            kek.UnwrapAsync(envelope with { KeyId = $"{_vault.Authority}/keys/{KeyName}" }, CancellationToken.None));
    }

    [Fact]
    public async Task An_edited_wrapped_key_fails_as_an_integrity_error()
    {
        var kek = CreateKek(out _);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var wrapped = Convert.FromBase64String(envelope.WrappedKey);
        wrapped[100] ^= 0x01;

        var e = await Assert.ThrowsAsync<IntegrityException>(() =>
            kek.UnwrapAsync(envelope with { WrappedKey = Convert.ToBase64String(wrapped) }, CancellationToken.None));

        Assert.Equal(400, Assert.IsType<KeyVaultException>(e.InnerException).Status);
    }

    [Fact]
    public async Task An_envelope_of_another_kind_is_refused()
    {
        var kek = CreateKek(out _);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);

        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { KekType = "local" }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { Algorithm = "RSA1_5" }, CancellationToken.None));
    }

    [Fact]
    public void Urls_that_are_not_key_urls_are_refused()
    {
        var credential = new FixedTokenCredential(Token);
        Assert.Throws<ArgumentException>(() => new KeyVaultKek(new Uri($"{_vault.Authority}/secrets/{KeyName}"), credential, Options()));
        Assert.Throws<ArgumentException>(() => new KeyVaultKek(new Uri($"{_vault.Authority}/keys/{KeyName}/v1/extra"), credential, Options()));
    }

    private KeyVaultKek CreateKek(out FixedTokenCredential credential, string token = Token, Uri? url = null)
    {
        credential = new FixedTokenCredential(token);
        return new KeyVaultKek(url ?? new Uri($"{_vault.Authority}/keys/{KeyName}"), credential, Options());
    }

    private KeyVaultKekOptions Options() => _vault.PinnedClientOptions();
}
