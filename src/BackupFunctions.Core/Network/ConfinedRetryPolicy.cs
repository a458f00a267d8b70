using Azure.Core;
using Azure.Core.Pipeline;

namespace BackupFunctions.Core.Network;

/// <summary>
/// An Azure SDK client's retry policy, as its <see cref="RetryOptions"/> say, except for a connection the
/// <see cref="NetworkPolicy"/> refused: an address outside the allowed ranges stays outside them, so retrying would only
/// make the caller wait (about 25 s with Storage's retries) for the same answer.
/// </summary>
public sealed class ConfinedRetryPolicy(RetryOptions retry)
    : RetryPolicy(retry.MaxRetries, retry.Mode == RetryMode.Fixed
        ? DelayStrategy.CreateFixedDelayStrategy(retry.Delay)
        : DelayStrategy.CreateExponentialDelayStrategy(retry.Delay, retry.MaxDelay))
{
    /// <summary>Gives <paramref name="options"/> this policy over its own retry settings, and returns them.</summary>
    public static T Apply<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RetryPolicy = new ConfinedRetryPolicy(options.Retry);
        return options;
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        => !IsRefusal(exception) && base.ShouldRetry(message, exception);

    protected override ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        => IsRefusal(exception) ? ValueTask.FromResult(false) : base.ShouldRetryAsync(message, exception);

    private static bool IsRefusal(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NetworkRefusedException)
                return true;
        }
        return false;
    }
}
