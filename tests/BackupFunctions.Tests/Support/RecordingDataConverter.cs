using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The Durable worker's and client's serializer, recording every payload it produces: orchestration inputs and outputs,
/// activity inputs and results — everything that becomes orchestration history. (The in-memory host of this version
/// cannot return history itself.)
/// </summary>
public sealed class RecordingDataConverter : DataConverter
{
    private readonly ConcurrentQueue<string> _payloads = new();

    public IReadOnlyCollection<string> Payloads => _payloads;

    public override string? Serialize(object? value)
    {
        var text = JsonDataConverter.Default.Serialize(value);
        if (text is not null)
            _payloads.Enqueue(text);
        return text;
    }

    public override object? Deserialize(string? data, Type targetType) => JsonDataConverter.Default.Deserialize(data, targetType);
}
